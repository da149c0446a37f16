"""MAXA through the DITAS gateway: its client, the local mirror and the drug-list check."""
