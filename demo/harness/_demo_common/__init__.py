"""Shared engine of the lmms-tui demo harness (stdlib only, Python 3.8+).

`lmms_eval` and `lm_eval` beside this package are stand-ins for the real harnesses: same command lines, same
output shapes and file layout, simulated numbers. demo/README.md lists every control knob.
"""
