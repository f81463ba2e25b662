"""The demo accelerate's commands: only `launch` (see accelerate/commands/launch.py)."""
