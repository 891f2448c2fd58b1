"""The click layer: parse, call the engine, render."""
