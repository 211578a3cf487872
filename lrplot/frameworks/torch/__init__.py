"""PyTorch's torch.optim.lr_scheduler: records, closed forms, the stateful replica, words and code."""
