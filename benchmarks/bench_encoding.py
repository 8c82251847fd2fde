"""Encoding detection: crmmine.data.io.detect_encoding beside charset-normalizer on the cases shops export.

Run: .venv/bin/python benchmarks/bench_encoding.py

Each case is a small CSV written in a known encoding; both detectors see the same first 64 KiB. A detection is
right when decoding with it gives back the original text. charset-normalizer is only needed for this comparison
(it comes with requests, which jupyterlab installs); crmmine does not depend on it.
"""

from __future__ import annotations

import time

from crmmine.data.io import detect_encoding

CASES = {
    "cp1252, 3 lines (España, Café crème)": ("id,country,product\n1,España,Café crème\n2,Österreich,Bücher\n",
                                             "cp1252"),
    "cp1252, one accented word": ("id,country\n1,España\n2,France\n3,UK\n", "cp1252"),
    "cp1252, euro sign and curly quotes": ("id,price,desc\n1,€5,naïve “quoted”\n", "cp1252"),
    "cp1252, 3,000 lines": ("c,country,desc\n" + "".join(f"{i},España,Gâteau à la crème {i}\n" for i in range(3000)),
                            "cp1252"),
    "GBK, 3 lines": ("会员ID,订单号,商品名称,数量\n1,A1,苹果手机,2\n2,A2,华为电脑,1\n", "gbk"),
    "GBK, one word": ("id,name\n1,北京\n2,abc\n", "gbk"),
    "GB18030, 3,000 lines": ("会员,国家,描述\n" + "".join(f"{i},中国,红色的苹果 {i}\n" for i in range(3000)), "gb18030"),
    "UTF-8": ("id,name\n1,España 北京\n", "utf-8"),
    "UTF-8 with BOM": ("id,name\n1,España\n", "utf-8-sig"),
    "UTF-16 with BOM": ("id,name\n1,España 北京\n", "utf-16"),
    "UTF-16-LE without BOM": ("id,name\n1,España\n", "utf-16-le"),
}


def _right(raw: bytes, text: str, enc: str | None) -> bool:
    if not enc:
        return False
    try:
        return raw.decode(enc).lstrip("\ufeff") == text.lstrip("\ufeff")
    except (UnicodeDecodeError, LookupError):
        return False


def main() -> int:
    try:
        import charset_normalizer
    except ImportError:  # pragma: no cover
        charset_normalizer = None
    print("| case | crmmine | ms | charset-normalizer | ms |")
    print("|---|---|---:|---|---:|")
    score = {"crmmine": 0, "cn": 0}
    for name, (text, enc) in CASES.items():
        full = text.encode(enc)
        raw = full[: 1 << 16]  # what a reader sniffs
        t = time.perf_counter()
        ours = detect_encoding(raw, complete=len(full) <= len(raw))
        t_ours = (time.perf_counter() - t) * 1000
        theirs, t_theirs = None, float("nan")
        if charset_normalizer is not None:
            t = time.perf_counter()
            best = charset_normalizer.from_bytes(raw).best()
            t_theirs = (time.perf_counter() - t) * 1000
            theirs = best.encoding if best else None
        ok_ours, ok_theirs = _right(full, text, ours), _right(full, text, theirs)
        score["crmmine"] += ok_ours
        score["cn"] += ok_theirs
        print(f"| {name} | {ours} {'right' if ok_ours else 'WRONG'} | {t_ours:.1f} | "
              f"{theirs} {'right' if ok_theirs else 'WRONG'} | {t_theirs:.1f} |")
    version = getattr(charset_normalizer, "__version__", "absent")
    print(f"\nright: crmmine {score['crmmine']}/{len(CASES)}, charset-normalizer {version} {score['cn']}/{len(CASES)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
