"""`rigfit calibrate`, offline: fit and score the speed model on measured llama.cpp runs (shared/calibration/).

Each measured row is mapped to a catalog model and device (runs.py), the engine predicts the ideal speed
(efficiency 1), and measured/ideal is the efficiency that run reached. Rows are split by device name into a fitting
half and a held-out half (a stable hash, never by result). Per group (device kind, backend, dense or MoE; prefill
by backend: engine.calibration.GroupKey) the fit takes the 10th and 90th percentiles as (low, high) (fit.py). The
held-out half is scored with the efficiency table the engine actually uses, so the figures reported are what users
get (report.py, which also writes engine/calibration_fitted.py). Multi-GPU runs are checked end to end
(multi_gpu.py).
"""
