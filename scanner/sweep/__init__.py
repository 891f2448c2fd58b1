"""The nightly sweep: configured sources, incremental cursors, reports and tickets."""
