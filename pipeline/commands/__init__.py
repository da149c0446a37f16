"""The command layer: one function per thing a user does, called by the command line and the
web app alike. Each takes its options and a ``Context`` (language, log file, clock), writes
its report, and returns a result value (``core.result.Result``: ``to_dict`` for JSON,
``exit_code``) the caller prints or renders.

    validate    run_validate       check files, write the marked-up report (no network)
    submit      run_submit         SubmitOptions → validate, send, record in the ledger, report
                                   (a ``Control`` handle: the run's counters and its stop)
    runs        list_runs, rebuild_report
    results     run_results        the server's declarations and final results of a year
    reconcile   run_reconcile      local declarations against the server's
    template    run_template       the blank input workbooks
    sandbox     serve, review      the simulator, and review results set in it
    maxa        lookup, check, …   MAXA terminologies
    targets     open_simad, open_maxa: a target opened (where target and credentials meet
                the clients)

Nothing below this package imports it.
"""
