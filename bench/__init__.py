"""`make bench`: speed and quality figures, each against a baseline measured in the same run."""
