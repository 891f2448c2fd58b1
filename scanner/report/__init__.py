"""Report renderers: one module per output format."""
