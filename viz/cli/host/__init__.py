"""The host readers: the only code that looks at this machine for the importers (files read once as lines
with caps, the /proc tree, page-cache residency by mincore, a real directory tree for --root). What they
read is handed to the parsers of model/trace/, which never touch the host."""
