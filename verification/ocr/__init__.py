"""Our MRZ reader: PassportEye finds the band, OCR-B template matching reads it."""

from verification.ocr.reader import ENGINE_NAME, ENGINE_VERSION, MrzReading, read_mrz

__all__ = ["ENGINE_NAME", "ENGINE_VERSION", "MrzReading", "read_mrz"]
