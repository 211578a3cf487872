"""mmengine 0.10.7 (OpenMMLab): its parameter schedulers, stepped the way its Runner steps them, and the configs that hold them."""
