"""Units: one place that converts and formats. Sizes shown to users are decimal GB (1e9 bytes)."""

from __future__ import annotations

GB = 1_000_000_000  # decimal gigabyte: Hugging Face pages, vendor bandwidths, our output
GIB = 1 << 30  # binary gigabyte: memory as sold (a "24 GB" card), llama-bench's `size`
MIB = 1 << 20


def fmt_gb(n_bytes: float) -> str:
    value = n_bytes / GB
    if value >= 1000:
        return f"{value / 1000:.2f} TB"
    if value >= 100:
        return f"{value:.0f} GB"
    return f"{value:.1f} GB"


def fmt_tokens(n: int) -> str:
    """32768 -> '32k', 1048576 -> '1M', 500 -> '500'."""
    if n >= 1 << 20 and n % (1 << 20) == 0:
        return f"{n >> 20}M"
    if n >= 1000 * 1000:
        return f"{n / 1e6:.1f}M"
    if n >= 1024:
        return f"{n // 1024}k"  # rounded down: "up to 16k" must not promise the 16384 a user would then ask for
    return str(n)


def fmt_rate(tps: float) -> str:
    """Tokens per second to two significant digits or whole numbers: 0.42, 5.7, 38, 1575."""
    if tps >= 10:
        return f"{tps:.0f}"
    if tps >= 1:
        return f"{tps:.1f}"
    return f"{tps:.2f}"


def fmt_usd(usd: float | None) -> str:
    """$1,499 for hardware, $2.15 for prices per million tokens; 'unknown' when there is no figure."""
    if usd is None:
        return "unknown"
    return f"${usd:,.0f}" if usd >= 100 else f"${usd:,.2f}"
