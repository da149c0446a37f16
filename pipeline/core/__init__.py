"""What every part of the tool uses: settings, the run's context, the error tree, the catalogue
of messages, logs, owner-only files and redaction. Imports nothing else of the project."""
