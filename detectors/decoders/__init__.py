"""Decoders: views of content as it was before someone encoded it, so copies are found anyway.

Text-level decoders (base64, percent-encoding, string escapes, notebook cells) turn a span of
a chunk into a decoded *view* that every detector reads; file-level containers (UTF-16 text,
zip, tar, gzip) are expanded by `containers.expand` before content is judged binary.
"""
