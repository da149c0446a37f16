"""The office's spreadsheets: reading (with the pre-checks), normalising values, the fields,
validation, the corrected copy, the report workbooks and the templates. Knows no network."""
