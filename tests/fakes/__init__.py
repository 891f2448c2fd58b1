"""Local fakes of the services keysprawl reads, answering on 127.0.0.1 over real HTTP."""
