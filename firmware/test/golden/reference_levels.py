#!/usr/bin/env python3
"""Independent reference levels for the golden recordings (firmware/test/golden).

Not a port of the TypeScript engine: the A and C weightings are applied in the
frequency domain as the IEC 61672-1:2013 Annex E magnitude formulas (zero phase,
one FFT over the whole zero-padded recording), where the engine runs IIR
filters designed per sample rate. Fast time weighting is the exponential of
IEC 61672-1 §5.7 on the squared A-weighted signal (scipy.signal.lfilter).

Run from the repo root (Debian: apt-get install python3-numpy python3-scipy):
    python3 firmware/test/golden/reference_levels.py > firmware/test/golden/expected.json
"""
import json
import math
import os
import sys

import numpy as np
from scipy.io import wavfile
from scipy.signal import lfilter

HERE = os.path.dirname(os.path.abspath(__file__))
FULL_SCALE_DB = 120.0  # DESIGN §2 default: a full-scale sine reads 120 dB
INTERVAL_S = 1.0
TAU_FAST_S = 0.125  # IEC 61672-1 §5.7.1

# IEC 61672-1:2013 Annex E, equations (E.1)–(E.7).
F1, F2, F3, F4 = 20.598997, 107.65265, 737.86223, 12194.217
A1000, C1000 = -2.000, -0.062

RECORDINGS = [
    ("voices-48k-s16.wav", 0),
    ("speech-bass-44k1-s24.wav", 0),
    ("speech-bass-44k1-s24.wav", 1),
]


def gain_a(f):
    f2 = f * f
    num = F4 ** 2 * f2 * f2
    den = (f2 + F1 ** 2) * np.sqrt(f2 + F2 ** 2) * np.sqrt(f2 + F3 ** 2) * (f2 + F4 ** 2)
    return num / den / 10 ** (A1000 / 20)


def gain_c(f):
    f2 = f * f
    num = F4 ** 2 * f2
    den = (f2 + F1 ** 2) * (f2 + F4 ** 2)
    return num / den / 10 ** (C1000 / 20)


def read(path, channel):
    rate, data = wavfile.read(path)
    if data.ndim > 1:
        data = data[:, channel]
    if data.dtype == np.int16:
        x = data / 32768.0
    elif data.dtype == np.int32:
        # scipy returns 24-bit PCM left-justified in int32.
        x = data / 2147483648.0
    else:
        x = data.astype(np.float64)
    return rate, x.astype(np.float64)


def weigh(x, rate, gain):
    n = 1 << int(math.ceil(math.log2(len(x) * 2)))
    spectrum = np.fft.rfft(x, n)
    f = np.fft.rfftfreq(n, 1.0 / rate)
    return np.fft.irfft(spectrum * gain(f), n)[: len(x)]


def level(ms):
    return None if ms <= 0 else round(10 * math.log10(ms / 0.5) + FULL_SCALE_DB, 4)


def analyse(name, channel):
    rate, x = read(os.path.join(HERE, "recordings", name), channel)
    a = weigh(x, rate, gain_a)
    c = weigh(x, rate, gain_c)
    alpha = 1 - math.exp(-1 / (rate * TAU_FAST_S))
    fast = lfilter([alpha], [1, -(1 - alpha)], a * a)
    step = int(round(INTERVAL_S * rate))
    out = []
    for start in range(0, len(x), step):
        end = min(start + step, len(x))
        out.append({
            "start": start / rate,
            "LAeq": level(float(np.mean(a[start:end] ** 2))),
            "LCeq": level(float(np.mean(c[start:end] ** 2))),
            "LZeq": level(float(np.mean(x[start:end] ** 2))),
            "LAFmax": level(float(np.max(fast[start:end]))),
        })
    return {"file": name, "channel": channel, "sampleRate": rate, "intervals": out}


def main():
    result = {
        "generatedBy": "firmware/test/golden/reference_levels.py",
        "fullScaleDb": FULL_SCALE_DB,
        "recordings": [analyse(n, ch) for n, ch in RECORDINGS],
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
