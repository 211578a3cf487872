"""timm (timm.scheduler 1.0.31): its schedulers, stepped the way its train.py steps them."""
