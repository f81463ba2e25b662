"""DEMO stand-in for Hugging Face `accelerate`, shipped with the lmms-tui demo harness (stdlib only).

Only the launcher exists: `python -m accelerate.commands.launch …` starts N local processes the way
`accelerate launch --multi_gpu` does, so multi-GPU demo jobs run without torch. No GPU is touched.
"""
__version__ = "1.0.0+demo"
