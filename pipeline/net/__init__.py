"""Talking to a ministry service: the retry policy, the pacing of requests, the token flow and
the reading of answers. Knows no spreadsheet and no service's API."""
