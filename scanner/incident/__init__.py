"""`keysprawl incident`: a complete scan of a breach scope into an evidence bundle."""
