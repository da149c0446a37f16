"""SIMAD, the central residency system: its client, payloads, the submission engine, the
ledger, the run lock, results, reconciliation and the run report."""
