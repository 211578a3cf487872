"""detectron2 (its solver, transcribed) over fvcore 0.1.5.post20221221's ParamSchedulers, stepped the way its trainer steps them."""
