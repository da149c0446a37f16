"""`simad ui`, the office's web app: routes by page calling the command layer, the guard, the
session's memory, and the templates and static files it serves."""
