import numpy as np


def load_features(path):
    return np.load(path, allow_pickle=True)
