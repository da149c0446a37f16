"""`make bench`: figures for BENCHMARKS.md. Not part of the installed package."""
