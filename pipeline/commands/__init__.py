"""The command layer: one function per thing a user does, called by the command line and the
web app alike. Each takes plain parameters and a ``Context`` (language, log file, clock),
writes its report, and returns a result value the caller prints or renders.

    validate    run_validate       check files, write the marked-up report (no network)
    submit      run_submit         validate, send, record in the ledger, report
    runs        list_runs, rebuild_report
    results     run_results        the server's declarations and final results of a year
    reconcile   run_reconcile      local declarations against the server's

Nothing below this package imports it.
"""
