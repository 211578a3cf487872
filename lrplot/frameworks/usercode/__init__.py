"""The user's own code as a schedule: a function in their training script, read and translated, never run."""
