"""Themes for the app (Textual Theme objects). Imports nothing of ours."""
