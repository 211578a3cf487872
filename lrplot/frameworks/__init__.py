"""The frameworks whose schedules lrplot reproduces, one package each (see ``base.Family``)."""
