"""The lake on Apache Spark: `python -m spymaster.spark` runs one engine task per (product, symbol, day)
on Spark executors through this package (the same C++ as the CLI; docs/scale.md)."""
