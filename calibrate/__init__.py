"""`rigfit calibrate`, offline: fit and score the speed model on measured llama.cpp runs (shared/calibration/).

Each measured row is mapped to a catalog model and device (runs.py), the engine predicts the ideal speed
(efficiency 1), and measured/ideal is the efficiency that run reached. Per group (device kind, backend, dense or
MoE; prefill by backend and matrix line: engine.calibration.GroupKey) the fit finds the decode layer cost, then the
(low, typical, high) a run of an unseen publication reaches (fit.py), by the spread method a proper score chooses on
folds of sources (spread.py). Every publication's runs are scored by a fit on the others, which chooses from its own
training runs, with the efficiency table the engine actually uses, so the figures reported are what users get
(report.py, which also writes engine/calibration_fitted.py). Multi-GPU runs are checked end to end (multi_gpu.py).
"""
