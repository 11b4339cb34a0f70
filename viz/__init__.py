"""cachescope's Textual app: renders model state and events, and sends ops. No simulation here."""
