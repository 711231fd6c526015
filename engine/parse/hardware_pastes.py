"""What tools, logs, tables and listings print around a rig, read before the rest of the hardware parser (third round
of tests/data/hardware_phrases.yaml, 2026-12-07): each rule rewrites one kind of text a person pastes into the form
the parser reads (a device name as a part of its own, a size with its word) or drops what names no hardware (a log's
timestamp, a price, a benchmark figure, a context window, a disk). The text is lowered already."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

# The parser's rule tables hold more patterns than `re` keeps compiled (its cache holds 512 and drops the oldest
# first), so patterns passed to re.sub as strings were compiled again on every phrase: 549 compilations and 140 ms a
# /fit. Each table's pattern is compiled once, here, the first time it is used.
compiled = functools.cache(re.compile)


_CJK = r"\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"


def _mib_thousands(m: re.Match[str]) -> str:
    """`97,887 MiB` as the whole GB it is (96 GB): a driver's figure for the card, written with a separator."""
    return f" {round(int(m.group(1) + m.group(2)) / 1024)}gb "


def _product_restated(m: re.Match[str]) -> str:
    """`2x24 = 48gb`: a count times a card's size, restating the cards' total, says nothing the cards do not; a
    product that does not add up is left for the rest of the parser to refuse."""
    n, each, total = (int(g) for g in m.groups())
    return " " if n * each == total else m.group(0)


def _model_or_config_name(m: re.Match[str]) -> str:
    """A token joined by `-`, `_` or `/` with a part that is a model's size in billions (`h2oai/h2ogpt-4096-llama2-7b`,
    `vllm-qwen36-35b-a3b-dual`, `Llama-3.3-70B-Instruct`): a model, repo or config name, not a device."""
    return " " if _SIZE_SEGMENT.search(m.group(0)) else m.group(0)


_SIZE_SEGMENT = re.compile(r"(?:^|[-_/])\d+(?:\.\d+)?b(?:$|[-_/.])")


PASTES: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    # CJK words glued to Latin ones (`双A6000通过NVLink`, `运行Qwen2-72B`, `4卡 nvidia`): a word boundary between them,
    # as a space would give, so the rules below see `a6000` and `qwen2` as words
    (rf"(?<=[{_CJK}])(?=[a-z0-9])|(?<=[a-z0-9])(?=[{_CJK}])", " "),
    # trademarks first (`Intel(R) Xeon(R) Platinum`), so the rules below see the words they mark
    (r"\((?:r|tm)\)|[®™]", " "),
    # a tool's flags with their values (`nvidia-smi --query-gpu=name,memory.total --format=csv`): what it was asked
    (r"(?<![\w-])--(?!machine-type|accelerator|gpus)[a-z][\w-]*=\S+", " "),
    # an integrated GPU beside the card, with the memory a tool says it can borrow (`Intel HD 4600`, `Vulkan0: Intel(R)
    # Graphics (ARL) (11577 MiB, 8251 MiB free)`, `Intel Arc Graphics (iGPU)`): it lends system memory, no card
    (r"\bintel\s+hd\s+(?:graphics\s+)?\d{3,4}\b", " "),
    (r"\bintel\s+(?:arc\s+)?graphics\s*(?:\([a-z]{2,4}\)|\(\s*igpu\s*\))(?:\s*\([^)\n]*\))?", " "),
    # a card the rig no longer holds (`Old GPU: AMD RX6800XT` beside `New GPU: ...`), a rate or a time beside a card
    # (`200ms`, `500it/s`), a model or config name with a size in billions inside (`h2oai/h2ogpt-4096-llama2-7b`,
    # `vllm-qwen36-35b-a3b-dual`), RAM glued to its number without a unit (`64ram`), SLURM's `16 CPUs per task`
    (r"(?m)^[ \t*-]*(?:old|previous|former)\s+(?:gpu|card|graphics\s+card)\s*:[^\n]*", " "),
    (r"(?m)^([ \t*-]*)new\s+(gpu|card|graphics\s+card)\s*:", r"\1\2:"),
    (r"(?<![\w.-])\d+(?:\.\d+)?\s*(?:ms|it/s|s/it)(?![\w/-])", " "),
    (
        r"(?:\babout\s+|~)?(?<![\w.-])(?:\d+(?:\.\d+)?\s*[–-]\s*)?\d+(?:\.\d+)?\+?\s*(?:tokens?|toks?|t)\s*(?:/|per\s+)"
        r"\s*(?:s|sec|second)\b",
        " ",
    ),
    (r"[^\s|,;()\[\]+]*[-_/][^\s|,;()\[\]+]*", _model_or_config_name),
    (r"\b(\d{1,4})ram\b", r"\1gb ram"),
    # an app's version with its `v` (`webui v1.4.0`) and the memory a run used at its peak (`at 15.1GB peak`)
    (r"\bv\d+(?:\.\d+){1,3}\b", " "),
    # a power cap's upper end (`250 W cap (300 W max)`: not an Apple Max or an Altra Max); Apple's GPU cores said
    # after the word (`19 GPU Cores`, `38 GPU core`: a 19-core GPU, not 19 machines)
    (r"\b\d{2,4}\s*w\s+max\b", " "),
    (r"\b(\d{1,2})\s+gpu\s+cores?\b", r" \1-core gpu "),
    # ... and CPU cores (`12 CPU core`), cores and threads glued (`i7-5820k 6c12t`)
    (r"\b(\d{1,2})\s+cpu\s+cores?\b", r" \1-core cpu "),
    (r"\b\d{1,3}c\d{1,3}t\b", " "),
    (r"\b(?:at\s+)?\d+(?:\.\d+)?\s*gb\s+peak\b|\bpeak\s+(?:of\s+)?\d+(?:\.\d+)?\s*gb\b", " "),
    # a clock time or a duration in a table or sentence (`| 11:35 | 3:32`, `> 2 hr`), a branch's prefix before its
    # name (`Benchmark/lambdacloud 8x h100`), a module's form factor it was converted from (`PCIE converted from SXM2`)
    (r"(?<![\w:.])(?<!\d\s)\d{1,2}:\d{2}(?::\d{2})?(?![\w:.])", " "),  # not a log line's date and time
    (r"(?:[>~]\s*)?\b\d+(?:\.\d+)?\s*(?:hrs?|hours?|mins?|minutes?|secs?|seconds?)\b", " "),
    (r"\b(?:benchmark|bench|feat|fix|docs?|chore|results?)/(?=[a-z])", " "),
    (r"\bconverted\s+from\s+(?:sxm[2-5]?|pcie)\b|\b(?:sxm[2-5]?|pcie)[\s-]*to[\s-]*(?:sxm[2-5]?|pcie)\b", " "),
    (r"\+?\b\d{1,3}\s*cpus?[\s-]+per[\s-]+task\b", " "),
    (r"\bcpu\s+memory\b", "ram"),
    # dxdiag's Display Devices (`Card name: NVIDIA GeForce GTX 1650 ... Chip type: GeForce GTX 1650 ... DAC type:
    # Integrated RAMDAC`): the chip restates the card; the DAC is no GPU
    (r"\b(?:chip|dac)\s+type\s*:[^\n]*", " "),
    # a card's own memory said as RAM or memory after the card's word (`card with 4GB RAM`) and memory said per card
    # (`VRAM per GPU: 16gb`)
    (r"\b(?:card|gpu)\s+with\s+(\d+(?:\.\d+)?)\s*gb\s+(?:of\s+)?(?:ram|memory)\b", r" \1gb vram "),
    (r"\b(?:vram|memory)\s+per\s+(?:gpu|card)\b", "vram"),
    # a count of cards before where they sit (`Total 8 card on H100 DGX`)
    (r"\btotal\s+(\d{1,2})\s+cards?\s+(?:on|in)\b", r" \1x "),
    # Japanese and Korean core counts (`10コアGPU`, `논리 코어 32개`): cores, not devices
    (r"(\d{1,3})\s*コア\s*", r"\1-core "),
    (r"코어\s*\d{1,3}\s*개", " "),
    # Chinese: a clock (`频率经常在210`) and the VRAM in use (`显存占用才8G`) are not the card's size or a count
    (r"频率[^，,。\d]*\d+", " "),
    (r"(?:占用|使用)[^\d，,。]{0,4}\d+(?:\.\d+)?\s*g(?:b)?\b", " "),
    # Ollama's logfmt lines (`time=... level=INFO source=types.go:130`, `msg="updating cuda memory data" gpu=GPU-...
    # name="NVIDIA A40" overhead="0 B" before.total="44.4 GiB"`): the device's name is the part; its free memory and
    # the driver's totals are not what it is sold with. The system-memory line's total is the RAM the OS sees.
    (r"\btime=\S+|\blevel=(?:info|debug|warn|warning|error|trace)\b|\bsource=[\w./-]+:\d+", " "),
    (
        r'\bmsg="updating system memory data"\s+before\.total="(?P<v>\d+(?:\.\d+)?)\s*gib"',
        r" \g<v>gib ram ",
    ),
    (r'\bmsg="updating (?:cuda|rocm|gpu) memory data"|\bgpu=gpu-[0-9a-f-]+', " "),
    (r'\bname="(?P<n>[^"\n]+)"(?=[^\n]*\b(?:before|now)\.total=)', r" + \g<n> + "),
    (r'\b(?:overhead|(?:before|now)\.(?:total|free|used|free_swap))="[^"]*"', " "),
    # PyTorch's collect_env flattened onto one line (`GPU 0: NVIDIA A800 80GB PCIe GPU 1: ...`): one device a line
    (r"(?<=\S)[ \t]+(?=gpu\s+\d{1,2}\s*:)", "\n"),
    (r"\bnvidia\s+driver\s+version\s*:?[^\n]*?(?=\bgpu\s+\d{1,2}\s*:|\n|$)", " "),
    # vulkaninfo --summary (`deviceName = AMD Radeon RX 9070 XT (RADV GFX1201)`, `vendorID = 0x1002`): the name is the
    # part; the other keys and the ids in hex are not counts
    (r"\bdevicename\s*=\s*(?P<n>[^\n]+)", r" + \g<n> + "),
    (
        r"\b(?:apiversion|driverversion|vendorid|deviceid|devicetype|driverid|drivername|driverinfo|conformanceversion"
        r"|deviceuuid|driveruuid)\s*=\s*[^\n]*",
        " ",
    ),
    (r"(?m)^\s*gpu\d{1,2}\s*:\s*$", " "),
    (r"\b0x[0-9a-f]+_*(?!\w)", " "),  # rocm-smi --csv pads a unique id with underscores (`0x9246____`)
    # hashcat's OpenCL list (`* Device #1: Tesla P100-PCIE-16GB, 4069/16276 MB allocatable, 56MCU`)
    (r"\bdevice\s+#\d{1,2}\s*:", " + "),
    (r"\b\d+\s*/\s*\d+\s*mb\s+allocatable\b|\b\d{1,3}\s*mcu\b", " "),
    # nvidia-smi --query-gpu CSV (`0, NVIDIA GeForce RTX 4060, 8188, 8.9`): the name is the part, the figures go
    (
        r"(?m)^\s*\d{1,2}\s*,\s*(?P<n>[^,\n]*?\b(?:nvidia|tesla|geforce|quadro|rtx|radeon|amd|intel)\b[^,\n]*?)"
        r"\s*,[^\n]*$",
        r" + \g<n> + ",
    ),
    # a driver's MiB figure with a thousands separator (`97,887 MiB`, `24,576 MiB`) and the tool that printed it
    (r"\b(\d{1,3}),(\d{3})\s*(mib|mb)\b", _mib_thousands),
    (r"\bnvidia-smi\b(?:\s+reports?)?", " "),
    # LM Studio / WebGPU / Windows Task Manager lines (`Initialize GPU device: WebGPU - NVIDIA ...`, `Dedicated GPU
    # memory: 5.5/8.0G Shared GPU memory: 0.1/8.0G`, `Utilization:7%`): in use / on the card, and system RAM lent
    (r"\binitiali[sz]e\s+gpu\s+device\s*:|\bwebgpu\s*-\s*", " "),
    (r"\b(?:(?:dedicated|shared)\s+)?gpu\s+memory\s*:?\s*[\d.]+\s*/\s*[\d.]+\s*g(?:b|ib)?\b", " "),
    (r"\butili[sz]ation\s*:?\s*\d{1,3}\s*%|\bdata\s*:", " "),
    # how many devices a backend found (`I have two Vulkan devices`): the devices are named after it
    (r"\b(?:i\s+have\s+)?(?:two|three|four|\d)\s+(?:vulkan|cuda|rocm|sycl|opencl)\s+devices\b", " "),
    # an integrated GPU named beside the card (`and Intel Arc Integrated GPU`, `AMD Radeon(TM) Graphics (AMD proprietary
    # driver)`): the CPU's own graphics, not a second card
    (r"\b(?:intel\s+)?arc\s+integrated\s+(?:gpu|graphics)\b", " "),
    (r"\b(?:amd\s+)?radeon\s*(?:\(tm\))?\s+graphics\s*\(\s*amd\s+proprietary\s+driver\s*\)", " "),
    # a share of RAM lent to an iGPU (`96GB (48GB loaned to VGA VRAM)`) and a part used of a whole (`(18 of 20GB)`)
    (r"\(\s*\d+(?:\.\d+)?\s*gb\s+(?:loaned|allocated|assigned|reserved|given)\s+to\b[^)\n]*\)", " "),
    (r"\bvram\s*\(\s*\d+(?:\.\d+)?\s*of\s+(\d+(?:\.\d+)?\s*gb)\s*\)", r" \1 vram "),  # `VRAM (18 of 20GB)`
    (r"\(\s*\d+(?:\.\d+)?\s*of\s+(\d+(?:\.\d+)?\s*gb)\s*\)", r" \1 "),
    (r"\b\d{1,3}(?:\.\d+)?\s*%(?!\s*(?:power|pl\b|tdp|\d{1,3}c\b))", " "),
    # markdown links and headings (`## [NVIDIA T4 GPU](https://www.nvidia.com/.../tesla-t4/)`): the link text, not its
    # address; a bullet before a number (`- 16 GiB`) is a bullet, not a minus
    (r"\[([^\]\n]+)\]\(\s*https?://[^)\s]*\)", r" \1 "),
    (r"https?://\S+", " "),
    (r"(?m)^\s*#{1,6}\s+", " "),
    (r"(?m)^\s*-\s+(?=\d)", " + "),
    # table cells that hold a benchmark's figures (`| 167.6 | 123.35 |`, `| 22 / 73 | 13 / 11 |`), a table's label for
    # a GPU slot (`| GPU 1 |`) and the count a label carries (`| CPUs (x2) | AMD EPYC ...`)
    (r"(?<=\|)\s*\d+\.\d+\s*(?=\|)", " "),
    (r"(?<=\|)\s*\d+(?:\.\d+)?\s*/\s*\d+(?:\.\d+)?\s*(?=\|)", " "),
    (r"\bgpu\s+\d{1,2}\s*(?=\|)", " "),
    (r"\bcpus?\s*\(\s*x\s*(\d)\s*\)\s*\|", r" \1x "),
    (r"\bgpus?\s*\(\s*x\s*\d{1,2}\s*\)\s*\|", " | "),
    # benchmark figures, prices in other currencies and after the number, context windows and model sizes in
    # thousands (`82.6 TFLOPS`, `¥12,000`, `800$`, `~$15–30K`, `>=200K window`, `~16K`)
    (r"\b\d+(?:\.\d+)?\s*[tgp]?flops\b", " "),
    (r"[¥￥₩₹]\s?\d[\d,.]*|\b\d[\d,.]*\s?\$", " "),
    (r"(?:[>=<~]\s*)*\b\d{1,3}k\b(?:\s*(?:context|window|tokens?|ctx)\b)?", " "),
    # a year a product was made or a rig changed (`Razer Blade 16 (2025)`, `(Reduced early 2026)`, `LLM in 2026`)
    (r"\(\s*20[0-3]\d\s*\)|\b(?:in|early|late|mid|since|from|circa)\s+20[0-3]\d\b", " "),
    # number formats, precisions and quantizations (`bf16`, `8bit`, `4 bit`, `(Q4, Q8, BF16 )`)
    (r"\b(?:bf16|fp16|f16|f32|fp8|fp4|int8|int4|b?float(?:16|32)|fp32|nf4|\d{1,2}\s*-?\s*bits?)\b", " "),
    (r"\bq[2-8](?:_k(?:_[sml])?|_0|_1)?\b(?![\w.-]*\.gguf)", " "),
    # what a thing is compared to (`MI50 is like 2080ti`), another name for it (`(aka DGX Spark)`), arithmetic on
    # sizes (`(24GB + 24GB = 48GB)`), a model's size said as what fits (`35GB fits into`)
    (r"\b(?:is\s+like|compared\s+to|similar\s+to|versus|vs\.?)\s+(?:an?\s+)?[^,;+\n(]*", " "),
    (r"\(\s*aka\s+[^)\n]*\)", " "),
    (r"\(\s*\d+\s*gb(?:\s*\+\s*\d+\s*gb)+\s*=\s*\d+\s*gb\s*\)", " "),
    (
        r"\b(\d{1,2})\s*x\s*(\d{1,3})\s*=\s*(\d{1,4})\s*gb\b",
        _product_restated,
    ),  # `(2×24 = 48GB)`: what the cards add up to
    (r"\b\d+(?:\.\d+)?\s*gb\s+(?:fits?|won'?t\s+fit|needs?)\b", " "),
    # a total of the cards' memory said after them (`with a total VRAM of 96GB`, `128gb of fast HBM memory`)
    (r"\b(?:with\s+)?(?:a\s+)?total\s+(?:vram|gpu\s+memory)\s+of\s+\d+(?:\.\d+)?\s*gb\b", " "),
    (
        r"\bpool(?:s|ed|ing)?\s+(?:their\s+|the\s+)?vram\b[^.;+\n]*?\bto\s+\d+(?:\.\d+)?\s*gb\b",
        " ",
    ),  # `pool their VRAM ... to 48GB`
    (r"\btotal\s+gpu\s+memory\s*:\s*\d+(?:\.\d+)?\s*gb\b", " "),
    (r"\b\d+(?:\.\d+)?\s*gb\s+of\s+(?:fast\s+)?hbm\d?e?\s+memory\b", " "),
    # a link's speed beside NVLink (`NVLink 4.0 ... 900GB/s`): not the card's memory bandwidth
    (r"(\bnv-?link\b[^+\n,;]*?)\b\d+(?:\.\d+)?\s*(?:gb|tb)/s\b", r"\1"),
    # counts in words and glued (`a pair of`, `two 3080 Tis`, `7x4090`, `4xL40S`, `8xH200`), Chinese `N卡` (N cards)
    (r"\b(?:a\s+)?pair\s+of\b", " 2x "),
    (r"\b(\d{4})\s+tis\b", r"\1 ti"),
    (r"\b(\d{1,2})x(?=(?:rtx|gtx)?\d{4}\b|[a-z]{1,2}\d{2,3}[a-z]?\b)", r"\1x "),
    (r"\b(\d{1,2})\s*卡\s*", r"\1x "),
    (r"双\s*(?=[a-z]{0,3}\d{3,4})", "2x "),
    # an article before a count (`A 7x4090 AI Server`), a size said before a card's model number (`the 24GB 4090`,
    # `a 32GB 5090`: the card's, not RAM at 5090 MT/s)
    (r"\ban?\s+(?=\d{1,2}\s*x\s)", " "),
    (r"\b(\d+\s*gb)\s+((?:rtx\s+)?[2-5]0[5-9]0(?:\s*ti|\s*super)?)\b", r"\2 \1"),
    # what a sentence says of the rig after naming it (`the laptop 4090 has both dedicated and shared memory`, `a 5090
    # laptop as well`, `the p3.2xlarge be sufficient for training`)
    (r"\b(?:has|have|had)\s+both\b[^,;+\n]*|\bas\s+well\b", " "),
    (r"\b(?:be|is|are|was)\s+(?:sufficient|enough|fine|good|too\s+slow|slow|fast)\b[^,;+\n]*", " "),
    # a laptop's or office PC's model number (`Dell Latitude 7400`, `OptiPlex 5070`): not a GPU's
    (r"\b(?:dell\s+)?(?:latitude|inspiron|vostro|optiplex)\s+\d{4}\b", " "),
    # a Threadripper PRO number written without its W (`3975x TR`, `3975X`)
    (r"\b((?:39|59|79|99)[4-9]5)x\b", r"\1wx"),
    # TensorFlow's device line (`name: Tesla P100-PCIE-16GB major: 6 minor: 0 memoryClockRate (GHz) 1.3285 pciBusID
    # 0000:02:00.0 Total memory: 15.90GiB`): the name; the rest is the device's clock, bus and what the driver sees
    (r"\bmajor\s*:\s*\d+\s+minor\s*:\s*\d+|\bmemoryclockrate\s*\(ghz\)\s*[\d.]+|\bpcibusid\s*[0-9a-f:.]+", " "),
    (r"\b(?:total|free)\s+memory\s*:\s*[\d.]+\s*gib\b", " "),
    (r"(?<!marketing )(?<!gpu )(?<!product )\bname\s*:\s*(?!gfx)", " + "),
    # an approximation of a figure given before it (`97,887 MiB (~98GB)`)
    (r"\(\s*~\s*\d+(?:\.\d+)?\s*gb\s*\)", " "),
    # a card's VRAM said after a comma (`8卡2080ti，22g显存版`: eight 2080 Ti, the 22g VRAM version)
    (r"(\b(?:rtx\s+|gtx\s+)?\d{4}(?:\s+ti|\s+super)?)\s*,\s*(\d{1,3}\s*g(?:b)?)\s+(?:vram|显存)", r"\1 \2"),
    # a laptop's maker in brackets after its GPU (`5090 laptop (XMG Zenith)`)
    (r"\(\s*(?:xmg|clevo|tongfang|eluktronics|schenker)\b[^)\n]*\)", " "),
    # vCPUs and core counts given as a spec line (`VCPUs: 8`, `CPU: 8`), performance and efficiency cores in Spanish
    # (`(8 núcleos P + 12 núcleos E)`)
    (r"\bv?cpus?\s*:\s*\d{1,3}\b(?!\s*(?:gb|x\b))", " "),
    (r"\(\s*\d{1,2}\s*(?:núcleos|nucleos|cores?)\s+p\s*\+\s*\d{1,2}\s*(?:núcleos|nucleos|cores?)\s+e\s*\)", " "),
    # a CPU's clock and cores as Linux prints them (`i5-7600K CPU @ 3.80GHz × 4`)
    (r"@\s*(?:[\d.]+\s*ghz)?\s*x\s*\d{1,2}\b", " "),
    # the model that ran (`model 13B runs`): not a Raspberry Pi `Model B`
    (r"\bmodel\s+\d{1,3}(?:\.\d+)?b\b", " "),
    # a model loaded in a machine (`load llm model in Jetson AGX Orin`)
    (r"\b(?:load(?:ing)?|run(?:ning)?)\s+(?:an?\s+)?(?:llm\s+)?models?\s+(?:in|on)\b", " + "),
    (r"\ba\s+cluster\s+of\s+(\d{1,2})\s+(?=[a-z]{1,3}\d{2,4}\b)", r"\1x "),
    # cores times sockets (`12*2 Intel Xeon`), two processors (`2P 5118 Xeon`), a Xeon's number before its name
    (r"\b\d{1,2}\s*\*\s*([1-8])\s+(?=(?:intel\s+|amd\s+)?(?:xeon|epyc))", r"\1x "),
    (r"\b([1-8])p\s+(?=\d{4}\b|xeon|epyc)", r"\1x "),
    (r"\b(\d{4}[a-z]?)\s+xeon\b", r"xeon \1"),
    # a bare `xeon` with no model (`2× Xeon + 24GB GPU`) names no platform; it is not the Xeon Phi
    (r"\b(?:\d\s*x\s*)?(?:intel\s+)?xeons?\b(?=\s*(?:$|[+,;)|\\n]|and\b|with\b))", " "),
    # an engineering sample named by what it equals (`EPYC Rome ES (equiv. EPYC 7742)`), cores per socket
    (r"\b(?:[a-z]+\s+){0,3}es\s*\(\s*equiv\.?\s*(?P<m>[^)\n]+)\)", r" \g<m> "),
    (r"\bcores?\s*/\s*socket\b|\bcores?\s+total\b", " "),
    # a CPU's datasheet figures (`QPI 8.0 GT/s, 10M cache, 130W, 4C`), a chassis and its drives
    (r"\bqpi\s+[\d.]+\s*gt/s\b|\b\d{1,3}\s*m(?:b)?\s+cache\b|(?<=,)\s*\d{1,2}c\b(?=\s*\))|\bturbo\b", " "),
    (r"\b\d+(?:\.\d+)?\"?\s*chassis\b[^\n+,;]*|\b(?:up\s+(?:to\s+)?)?\d{1,2}\s+hard\s+drives?\b", " "),
    (
        r"\b\d{1,2}\s*x\s*\d+(?:\.\d+)?\s*(?:tb|gb)[ \t]*(?:hdd|ssd|nvme|sas|sata)s?\b",
        " ",
    ),  # not `4x8GB` + `SSD:` below
    # RAM modules: a part number (`(M393AAG40M32-CAE)`), a maker's module code (`D760R Samsung`), `ECC Registered`,
    # the count before the kind (`4 × DDR4-2666 32GB`), a kit's DIMMs and speed in brackets (`64GB(32GB×2,5600MHz)`)
    (r"\(\s*[a-z]{1,3}\d[a-z0-9]{6,}-[a-z0-9]{2,5}\s*\)", " "),
    (r"\b[a-z]\d{3}[a-z]?\s+(?=(?:samsung|micron|hynix|sk\s+hynix|kingston|crucial)\b)", " "),
    (r"\b(?:samsung|micron|sk\s+hynix|hynix|kingston|crucial)\b|\bregistered\b", " "),
    (r"\b(\d{1,2})\s*x\s+((?:lp)?ddr\d(?:-\d{4})?)\s+(\d{1,3})\s*gb\b", r"\1x \3gb \2"),
    (r"\(\s*\d+\s*gb\s*[x*]\s*\d\s*,\s*(\d{4})\s*(?:mhz|mt/s)\s*\)", r" \1 "),
    # a total and then the DIMMs that make it (`2 TB — 16x Samsung 128 GB DDR4`): the total, said once
    (r"\b(\d+(?:\.\d+)?\s*(?:tb|gb))\s*[\u2014\u2013-]?\s*\d{1,2}\s*x\s+\d{1,3}\s*gb\b", r"\1 "),
    # a unified machine's memory kind between its size and `unified` (`128GB LPDDR5x-8000 unified memory`)
    (r"(\d+\s*gb)\s+lpddr5x?(?:-\d{4})?\s+(unified\s+memory)\b", r"\1 \2"),
    # a product listing (`"productName": "Dell Latitude 7400 14\" FHD Laptop ... (Refurbished)"`): the title is the
    # text; a screen, `(Refurbished)`, a Core i5 with no model number
    (r'"productname"\s*:\s*"', " "),
    (r'\b1[0-8](?:\.\d)?\\?"\s*(?:fhd|qhd|uhd|oled)?|\b(?:fhd|qhd)\b|\buhd\b(?!\s+graphics)', " "),
    (r"\((?:refurbished|renewed|used)\)", " "),
    (r"\b(?:intel\s+)?core\s+i[3579](?=\s*(?:\||,|$|\s+\d{1,2}(?:st|nd|rd|th)\s+gen))", " "),
    # a VPS's traffic and disk (`Bandwidth: 33 TB`, `Disk space: 400 GB`): not its memory
    (r"\bbandwidth\s*:\s*\d+(?:\.\d+)?\s*tb\b|\bdisk\s+space\s*:\s*\d+(?:\.\d+)?\s*(?:gb|tb)\b", " "),
    # Apple's cores and memory in one bracket (`M5 Max (6S+12P+40GPU+128GB)`): the GPU cores name the variant
    (
        r"\(\s*(?:\d{1,2}\s*[sep]\s*\+\s*)+(?P<g>\d{1,2})\s*gpu\s*\+\s*(?P<m>\d{2,3})\s*gb\s*\)",
        r" \g<g>-core gpu \g<m>gb ",
    ),
    # a rig report's power and link lines (`power cap 370 W (max 390 W)`, `pstate P2`, `PCIe gen3 x16/x16`)
    (r"\bpower\s+cap\b[\s\d]*(?:w\b)?|\(\s*max\s+\d+\s*w\s*\)|\bpstate\s+p\d{1,2}\b", " "),
    (r"\bpcie\s+gen\s*\d\s*x\d{1,2}(?:\s*/\s*x\d{1,2})?", " "),
    # a hostname, a job (`Host gpu051, SLURM job 65298930`), a board's part numbers, an OS glued on (`4060-ubuntu`)
    (r"\bslurm\s+job\s+\d+|\bgpu\d{2,4}\b", " "),
    (r"\b(?:\d{3}-level\s+)?part\s+number\s*:[^\n]*|\bp-number\s*:[^\n]*", " "),
    (r"-(?:ubuntu|linux|windows|win1[01]|wsl2?)\b|\bwsl\s*2?\b", " "),
    # a Threadripper written after its number (`3975x TR`), a laptop model glued to its size (`Razer Blade18`)
    (r"\b(\d{4}w?x)\s+tr\b", r"threadripper \1"),
    (r"\b(razer\s+blade)(1[4-8])\b", r"\1 \2"),
    # AWS instance types as SageMaker and Hugging Face endpoints write them (`ml.g4dn.xlarge`, `g4dn xlarge`,
    # `aws-g5-12xlarge-xxlarge`): the instance type the rest of the parser knows
    (r"\bml\.(?=[a-z]\d[a-z]*\.\d{0,2}xlarge\b)", ""),
    (r"\b(g4dn|g5|g6e?|p3|p4de?|p5e?n?)\s+(\d{0,2}xlarge)\b", r"\1.\2"),
    (r"\baws-(?P<fam>[a-z]\d[a-z]{0,2})-(?P<size>\d{0,2}xlarge)-[a-z]+\b", r" \g<fam>.\g<size> "),
    # dstack's offers (`cpu=192 mem=2048GB disk=100GB gpu=H200:141GB:8 (spot)`, `aws (us-east-2)`)
    (r"\bgpu=(?P<name>[a-z0-9]+):(?P<gib>\d+)gb:(?P<n>\d{1,2})\b", r" + \g<n>x \g<name> \g<gib>gb + "),
    (r"\bmem=(?P<v>\d+)gb\b", r" + \g<v>gb ram + "),
    (r"\b(?:cpu|disk)=\S+|\(\s*spot\s*\)|\baws\s*\(\s*[a-z]{2}-[a-z]+-\d\s*\)", " "),
)


def _listed_count(m: re.Match[str]) -> str:
    """`I have 3 AMD Radeons:` over three bullets: the header's count is the list's length, not a multiplier."""
    items = [line for line in m.group("items").splitlines() if line.strip()]
    return m.group(0) if len(items) != int(m.group("n")) else f"{m.group('pre')}:\n{m.group('items')}"


# Eighth round (round 2, session 15): what people write around a rig that is not part of it, each rule a way of
# writing (tests/test_parse_eighth_round.py has a table of cases for each)
EIGHTH_ROUND: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    # a US date and clock (`3/30/2024 10:32:04 PM:`), a month and year (`early Sept. 2023`), a mention (`@name`)
    (r"\b\d{1,2}/\d{1,2}/(?:19|20)\d{2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:am|pm)?)?\s*:?", " "),
    (r"\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2},?\s+)?(?:19|20)\d{2}\b", " "),
    (r"(?<![\w.])@[a-z0-9][\w-]*", " "),
    # `NaN` (a number a tool could not read): no size
    (r"\bnan\b", " "),
    # a CPU socket (`LGA 2011-3`), an OS edition (`Windows 11 Pro`, `Win 11 x64 home`), CPU feature flags
    # (`no AVX-512, no BF16`, `[no F16C ...]`): none of them a part to size
    (r"\blga\s*\d{3,4}(?:-\d)?\b", " "),
    (
        r"\b(?:windows|win)\s*(?:7|8(?:\.1)?|10|11|xp|server\s+\d{4})"
        r"(?:\s+(?:pro|home|enterprise|education|ltsc|x64|x86|64-bit|business|workstation|\d{2}h\d))+\b",
        " windows ",
    ),
    (r"\b(?:no\s+)?(?:avx(?:-?512[\w-]*|2|-vnni)?|f16c|fma3?|bf16)\b(?:\s+so\s+[^\]\n]*)?", " "),
    # a spec sheet's lines that are not processor, memory or card: board, power supply, disks, case, OS
    (
        r"(?m)^[ \t*+|-]*(?:mb|mobo|motherboard|mainboard|psu|power\s+supply|disk|storage|ssd|nvme|case|cooler"
        r"|cooling|os|kernel)\s*:[^\n]*",
        " ",
    ),
    # a board by its code before the word (`Fujitsu D3348 Board`, `TRX40 PRO 10G motherboard`), a chipset board's
    # product name (`X670E-CREATOR WIFI`), a multi-node chassis (`PowerEdge C6420`)
    (r"\b[a-z]{0,3}\d{3,5}[a-z0-9-]*(?:\s+(?:pro|plus|wifi|ws|10g))*\s+(?:mother|main)?board\b", " "),
    (
        r"\b[abhxz]\d{3}e?-(?:creator|pro|plus|gaming[\w-]*|tomahawk|hero|extreme|aorus[\w-]*|elite|master|ace|edge"
        r"|carbon|sage[\w-]*)\b(?:\s+(?:wi-?fi\d?|ii|max|se))*",
        " ",
    ),
    (r"\bpoweredge\s+c\d{4}\b", " "),
    # a price in roubles, yuan, yen, euros or dollars said as a word (`5000 рублей`), memory a model needs or uses
    # (`consumes ~14.3 GB VRAM`, `needs ~40G of VRAM`, `требует 16 ГБ VRAM`), a purchase not made (`I can order up to
    # 192GB of RAM`), plans in brackets (`(need to check if I can update it to 64 or 96 gb later)`)
    (r"(?<![\w.])\d[\d\s.,]*\s*(?:рубл\w*|руб\.?|₽|元|円|yen|euros?|€|dollars?|usd|rmb)(?!\w)", " "),
    (
        r"\b(?:consumes?|consuming|uses?|needs?|requires?|required|takes?|требует|нужно)\s+(?:about\s+|around\s+|~\s*)?"
        r"\d+(?:\.\d+)?\s*(?:gb|gib|g|гб)\b(?:\s+(?:of\s+)?(?:vram|ram|memory))?",
        " ",
    ),
    (
        r"\b(?:i\s+)?(?:can|could|will|might|plan\s+to|want\s+to)\s+(?:order|buy|get|add|upgrade\s+to)\s+"
        r"(?:up\s+to\s+)?\d+\s*(?:gb|tb)\b(?:\s+of)?(?:\s+(?:ram|memory))?",
        " ",
    ),
    (r"\((?:need|planning|plan|want|will|hope|might)\b[^)\n]*\)", " "),
    # a platform's ceiling (`max \~3000GB`), markdown's escaped tilde, approximate sizes (`~14ish GB`)
    (r"\\~", "~"),
    (r"\bmax\.?\s*~\s*\d+\s*(?:gb|tb)\b", " "),
    (r"(\d)ish\b", r"\1"),
    # tensor or pipeline parallel degrees (`TP=3`), a tool's byte count of a device's memory (`global mem size
    # 16225243136`), a gfx target restated in brackets after a card (`7700S GPU (gfx1102)`) or a list of build targets
    # (`gfx1100 AND gfx1030`), an Intel GPU's PCI id and codename (`Intel Graphics [0xe223], BMG G31 / Arc Pro B70`)
    (r"\b(?:tp|pp|dp|ep)\s*=\s*\d{1,2}\b", " "),
    (r"\bglobal\s+mem(?:ory)?\s+size\s*:?\s*\d{8,}\b", " "),
    (r"\(\s*gfx\d{3,4}[a-z]?\s*\)", " "),
    (r"\bgfx\d{3,4}[a-z]?(?:\s*(?:,|and|&|/|or)\s*gfx\d{3,4}[a-z]?)+", " "),
    (r"\bintel\s+graphics\s*\[\s*0x[0-9a-f]{4}\s*\]\s*,?", " "),
    (r"\bbmg[\s-]*g\d{2}\b", " "),
    # SO-DIMMs said as `so-ram`; a GPU's memory as a field (`GPU Memory: 24 GiB`); RAM said without a unit (`with
    # 768 memory`) and a card's memory said per card (`each gpu has 24gig ram`); Chinese `cpu内存` (CPU memory)
    (r"\bso-?(?:ram|dimms?)\b", " ram "),
    (r"\bgpu\s+memory\s*:\s*(?=\d+(?:\.\d+)?\s*gi?b\b)", " vram: "),
    (r"\bwith\s+(\d{2,4})\s+(?:memory|ram)\b", r"with \1gb ram"),
    (r"\beach\s+(?:gpu|card)\s+has\s+(\d+)\s*(?:gb|gigs?|g)\s+(?:of\s+)?(?:ram|memory|vram)\b", r" \1gb vram "),
    (r"\bcpu\s*内存", " ram "),
    # a config file's name (`e2e-nvidia-l40s-x4-llama.yml`): its words, so a card and its count are read
    (
        r"(?<![/\w-])(\w+(?:-\w+){2,})\.(?:ya?ml|json|toml|sh|txt)\b",
        lambda m: " " + m.group(1).replace("-", " ").replace("_", " ") + " ",
    ),
    # counts: after a card with `cards` (`7900XT 4 cards`), `a couple of`, a CPU's glued count (`E5-2698Bv3*2`),
    # DIMMs said as a size times a count (`32G*8`), two sockets said `2S`, channels per socket (`4xDDR4-2400/S`),
    # Russian `двумя` (with two)
    (r"\b((?:rtx\s*|rx\s*|gtx\s*)?\d{4}\s*(?:xtx|xt|ti|super)?)\s+(\d{1,2})\s+(?:cards|gpus)\b", r"\2x \1"),
    (r"\ba\s+couple\s+of\b", " two "),
    (r"\b(e5-\d{4}[a-z]?)\s*(v\d)\s*\*\s*2\b", r"dual socket \1 \2"),
    (r"\b(ddr\d)((?:[\s-]+\d{4})?)\s+(\d{1,3})\s*g(?:b)?\s*\*\s*(\d{1,2})\b", r"\1\2 \4x\3gb"),
    (r"\b2s\s+(?=xeon|epyc)", "dual socket "),
    (r"\b(\d)\s*x\s*(ddr\d)-(\d{4})\s*/\s*s\b", r"\2-\3 \1 channels per socket"),
    (r"(?<![\w-])(?:двумя|двух)(?![\w-])", "two"),
    (r"терабайт\w*", "tb"),
    (r"оперативн\w*\s+памят\w*", " ram "),
    # a count said in a header over a list of that many cards (`I have 3 AMD Radeons:` and three bullets)
    (
        r"(?P<pre>\b(?:i\s+have|i've\s+got|with)\s+)(?P<n>\d)\s+[^\n:]{0,30}:[ \t]*\n"
        r"(?P<items>(?:[ \t]*[-*•][^\n]*\n?){2,})",
        _listed_count,
    ),
    # a single-dash flag with its value (`-max-num-seqs 1`), a memory limit said of a card (`the 32G limit`), a
    # GPU's memory said as graphics memory, compute units (`with 12 CU's`), an iGPU beside the card (`780M iGPU`), a
    # CPU's cache (`55MB of cache`), AMD's company name after a target (`gfx1030 (Advanced Micro Devices, Inc.)`), a
    # year in a table's cell (`| 2019 |`)
    (r"(?<![\w-])-[a-z]+(?:-[a-z]+)+\s+\d+\b", " "),
    (r"\b\d+\s*g(?:b)?\s+limit\b", " "),
    (r"\bgraphics\s+memory\b", " vram "),
    (r"\b\d{1,3}\s*cu(?:'s|s)?\b", " "),
    (r"\b\d{3}m\s+igpu\b", " "),
    (r"\b\d+(?:\.\d+)?\s*mb\s+(?:of\s+)?(?:l\d\s+)?cache\b", " "),
    (r"\(\s*advanced\s+micro\s+devices,?\s*inc\.?\s*\)", " "),
    (r"\|\s*(?:19|20)\d{2}\s*(?=\|)", "| "),
    # cards one a line, each after its vendor's name (`nvidia 2060 super` over `nvidia 3080`): a list of parts
    (r"(?<=\S)[ \t]*\n(?=[ \t]*(?:nvidia|geforce|radeon)\s+(?:rtx\s*|gtx\s*|rx\s*)?\d{3,4}\b)", " + "),
    # an Intel Mac Pro by its year (`Mac Pro 2019 28core Xeon`): a Xeon workstation, not Apple silicon
    (r"\bmac\s*pro\s*\(?\s*(?:2019|2013|late\s+2013|intel)\b\)?", " xeon "),
    # a spec card's labels glued to their values (`ArchitectureM3 Ultra`, `Memory512 GB`) and its lines that size
    # nothing (`Process nodeTSMC 3nm`, `FP16 compute57 TFLOPS`)
    (r"(?m)^(architecture|memory bandwidth|memory)(?=[a-z0-9])", r"\1: "),
    (r"(?m)^architecture\s*:\s*", " "),
    (r"(?m)^(?:process\s+node|fp16\s+compute|int8\s+compute|tdp)[^\n]*", " "),
)


def _count_after_card(m: re.Match[str]) -> str:
    """`显卡4090，两张` (the card, then `two of them`): the count before the card, as `两张4090` is written."""
    return f" {m.group('n')}张 {m.group('card')} "


def _said_again(m: re.Match[str]) -> str:
    """`a pair of W6800s and the W6800s are faster`: a card said again with `the` after it was counted is the same
    cards, not more; the first mention stands."""
    return " " if re.search(rf"\b{re.escape(m.group('card'))}", m.string[: m.start()]) else m.group(0)


def _gfx_beside_card(m: re.Match[str]) -> str:
    """A gfx target in a text that names the AMD card (`my RX7600 corresponds to gfx1102 ... gfx1100 is tested`):
    the card says what the rig holds; the targets are the card's chip or the ones a document lists. A tool's device
    line (`Device 0: AMD Instinct MI50/MI60, gfx906:sramecc+:xnack-`) keeps its target: it tells the cards apart."""
    line = m.string[m.string.rfind("\n", 0, m.start()) + 1 : m.start()]
    tool_line = ":" in m.group(0) or re.search(r"\b(?:device|agent|name)\s*\d*\s*:", line)
    return " " if _AMD_CARD.search(m.string) and not tool_line else m.group(0)


_AMD_CARD = re.compile(r"\b(?:rx\s*\d{4}|radeon\s+(?:vii|pro|rx|ai)|instinct|mi\d{2,3}|w\d{4}\b)")


def _nodes_each_with(m: re.Match[str]) -> str:
    """`four A100 nodes, each with 8 80GB GPUs`: nodes of that many cards, as the rest of the parser reads a cluster."""
    return f" {m.group('n')} nodes of {m.group('per')}x {m.group('card')} {m.group('size') or ''} "


# Ninth round (round 2, session 16): ways of writing seen on pages no earlier round used, each rule a way of writing
# (tests/test_parse_ninth_round.py has a table of cases for each)
NINTH_ROUND: tuple[tuple[str, str | Callable[[re.Match[str]], str]], ...] = (
    # a ratio said with `x` before a comparison (`6x behind RDNA1`, `10x faster`, `3.5x the speed`): no count
    (
        r"(?<![\w.])\d+(?:\.\d+)?\s*[x×]\s+(?:faster|slower|quicker|behind|ahead|more|less|better|worse|cheaper"
        r"|bigger|larger|smaller|higher|lower|the\s+(?:speed|price|cost|performance))\b",
        " ",
    ),
    # a share of a size said before (`12.7GB of system memory, of which about 2GB is consumed`): part of it, not more
    (r",?\s*of\s+which\s+(?:about\s+|around\s+|~\s*)?\d+(?:\.\d+)?\s*(?:gb|gib|g)\b[^,.;\n]*", " "),
    # a fraction below one without a unit (`acceptance 0.895`, `p=0.9`): a rate, never a size or a device
    (r"(?<![\w.=])0\.\d+(?!\.?\d|%|\s*[a-z/])", " "),
    # words joined by a hyphen that say memory (`unified-memory bandwidth`, `system-memory`)
    (r"\b(unified|system|video|graphics|main)-(memory|ram)\b", r"\1 \2"),
    # a PC maker's workstation or desktop line with its model code (`Dell Precision T760 workstation`, `OptiPlex
    # 7090`, `ThinkStation P620`): the box around the parts, not a device
    (
        r"\b(?:dell\s+)?(?:precision|optiplex)\s+[a-z]?\d{3,4}[a-z]?\b(?:\s+(?:tower|workstation|rack|sff|mt))?"
        r"|\b(?:lenovo\s+)?(?:thinkstation|thinkcentre)\s+[a-z]\d{2,4}[a-z]?\b",
        " ",
    ),
    # a gfx target with its feature flags after a named card (`Radeon VII gfx906:sramecc-:xnack-`): the card says it
    (
        r"\b(radeon\s+vii|radeon\s+pro\s+vii|mi\d{2,3}x?|rx\s*\d{4}\s*(?:xtx|xt|gre)?|w\d{4}|v\d{3})"
        r"\s+gfx\d{3,4}[a-z]?(?::[a-z]+[+-])*",
        r"\1",
    ),
    # a table row whose columns repeat one value (`| 内存 | 64GB DDR5 5600MHz | 64GB DDR5 5600MHz |`: the same RAM in
    # two compared setups): said once
    (r"\|([^|\n]*\d[^|\n]*)\|(?:\1\|)+", r"|\1|"),
    # a count after the card in Chinese (`显卡4090，两张`): before it, as the rest of the parser reads counts
    (
        r"(?P<card>(?:rtx\s*|rx\s*)?\d{4}(?:\s*(?:ti|super|xtx|xt|d))?)\s*[，,]\s*"
        r"(?P<n>[两二三四五六七八]|\d)\s*张",
        _count_after_card,
    ),
    # a count word in Italian, Spanish, French or Portuguese before the cards (`due GPU RTX Pro 6000`, `dos tarjetas`)
    (r"\b(?:due|dos|deux|duas)\s+(?:gpu|schede|tarjetas|cartes|placas)\b", " 2x "),
    (r"\b(?:tre|tres|trois|três)\s+(?:gpu|schede|tarjetas|cartes|placas)\b", " 3x "),
    (r"\b(?:quattro|cuatro|quatre|quatro)\s+(?:gpu|schede|tarjetas|cartes|placas)\b", " 4x "),
    # a total said of the cards in those languages or in English (`per un totale di 192GB di VRAM`, `en total 48 GB`,
    # `for a total of 96GB`): it restates the cards
    (
        r"\b(?:per\s+un\s+totale\s+di|en\s+total|au\s+total|no\s+total|for\s+a\s+total\s+of|in\s+total)\s+"
        r"\d+(?:\.\d+)?\s*(?:gb|gib|g|tb)\b(?:\s+(?:di|de|of)\s+(?:vram|memoria|memory))?",
        " ",
    ),
    # a board's PCIe lanes (`40 PCIe 3.0 lanes`) and dashes used as bullets (`— 4 memory channels`)
    (r"\b\d{1,3}\s+pcie\s*\d(?:\.\d)?\s+lanes\b", " "),
    (r"\b(?:\d{1,2}x\s*(?:->\s*)?)+(?:pcie\s+)?(?:splitters?|risers?)\b|\b(?:with|at|via|in)\s+x(?:1|2|4|8|16)\b", " "),
    # sticks said with their count first (`4 x DDR4 8G memory sticks`): the DIMMs the rest of the parser reads
    (
        r"\b(\d{1,2})\s*x\s*(ddr\d)\s+(\d{1,3})\s*g(?:b)?\s+(?:memory\s+|ram\s+)?(?:sticks?|modules?|dimms?)\b",
        r"\n\2 \1x\3gb\n",
    ),
    # a CPU line that ends with its count (`CPU：至强铂金8168 ... x2块`): two sockets
    (r"(?m)^([ \t*-]*cpu\s*[:：])([^\n]*?)\s*[x×*]\s*2\s*(?:块|颗|个|pcs)?[ \t]*$", r"\1 dual socket \2"),
    (r"(?m)^[ \t]*[—–][ \t]*", " "),
    # a spec list's disk and board lines in Chinese (`硬盘：三星870 EVO 4tb SATAx4块`): no part to size; RAM said
    # `内存64G` (memory) and channels said `4 memory channels`
    (r"(?m)^[ \t*+|-]*(?:硬盘|固态硬盘|存储|主板|电源|机箱|散热)\s*[:：][^\n]*", " "),
    (r"内存\s*[:：]?\s*(\d+(?:\.\d+)?)\s*(?:g|gb|gib)\b", r" \1gb ram "),
    (r"\b(\d{1,2})\s+memory\s+channels\b", r"\1 channels"),
    # DIMMs with their total after `=` (`32Gx16条=512G`): sixteen 32 GB sticks (the total says them again)
    (r"\b(\d+)\s*g(?:b)?\s*[x×*]\s*(\d+)\s*(?:条|根|sticks?)?\s*=\s*\d+\s*g(?:b)?\b", r" \2x\1gb "),
    # a model number glued to its suffix (`4080Super`, `WX9100`): the parts the catalog names
    (r"\b(\d{4})(super|ti)\b", r"\1 \2"),
    (r"(?<!pro )\bwx\s?(\d{4})\b", r"radeon pro wx \1"),
    # a CPU's clock written without `Hz` on its line (`CPU：至强铂金8168 2.7G 24核`): no size
    (r"(?m)^([ \t*-]*cpu\s*[:：][^\n]*?)(?<![\w.])\d\.\d{1,2}\s*g(?![\w])", r"\1 "),
    # a memory field on a GPU's line (`GPU: L20, Memory 46GB`): the card's memory, not RAM
    (r"(?m)^([ \t*-]*gpu\s*[:：][^\n,]*),\s*memory\s*[:：]?\s*(\d+(?:\.\d+)?)\s*(?:g|gb|gib)\b", r"\1 (\2gb vram)"),
    # a card with its count and size in brackets (`MI300X (8×192 GB, CDNA 3)`): that many of the card
    (
        r"(?<![\w-])(mi\d{3}[a-z]?|[a-z]{1,3}\d{3,4}[a-z]*|\d{3,4}(?!gi?b|tb|mb|g\b)[a-z]+)\s*\(\s*(\d{1,2})\s*[x×]\s*(\d{2,3})\s*gb\b",
        r"\2x \1 (\3gb",
    ),
    # a Hugging Face endpoint's size before its card (`GPU [medium] - 1x Nvidia A10G`): the tier's name, no part
    (r"\bgpu\s*\[\s*(?:x*small|medium|x*large|\d+xlarge)\s*\]\s*-?", " "),
    # a Chinese label naming the setup before its line (`双卡测试：2×NVIDIA RTX 4090`): the line counts the cards
    (r"(?:单|双|四|八)卡(?:测试|配置|方案)\s*[:：]", " "),
    # a cluster said as nodes each with cards (`four A100 nodes, each with 8 80GB GPUs`)
    (
        r"\b(?P<n>two|three|four|five|six|eight|\d{1,2})\s+(?P<card>[a-z]{0,3}\d{2,4}[a-z]*)\s+nodes?\s*,?\s*each\s+with\s+"
        r"(?P<per>\d{1,2})\s+(?:x\s*)?(?P<size>\d{2,3}\s*gb)?\s*(?:gpus|cards)\b",
        _nodes_each_with,
    ),
    # a table's card cell and the size cell after it (`| NVIDIA T400 | 4 GB |`): the card's memory
    (
        r"\|([^|\n]*\b(?:nvidia|amd|intel|geforce|radeon|tesla|quadro|rtx|gtx|rx|arc)\b[^|\n]*?)\s*\|\s*"
        r"(\d+(?:\.\d+)?\s*gb)\s*(?=\|)",
        r"|\1 \2 ",
    ),
    # Apple core counts in a table's cells (`| 28c (20P+8E) | 60c |`): no size, no device
    (r"(?<=\|)\s*\d{1,3}c(?:\s*\(\s*\d+p\s*\+\s*\d+e\s*\))?\s*(?=\|)", " "),
    # another card compared (`half of the RX6500 XT`, `twice the 3060`), another setup that worked (`but success on 2
    # L20 GPUs`), some of the cards said by how they connect (`2 connected via 16x -> 4x 1x PCIe splitters`)
    (
        r"\b(?:half|twice|double|a\s+third|a\s+quarter)\s+(?:of\s+|that\s+of\s+)?(?:the\s+|an?\s+|my\s+)?"
        r"(?:rtx\s*|rx\s*|gtx\s*|arc\s*)?\d{3,4}\s*(?:xtx|xt|ti|super)?\b",
        " ",
    ),
    (
        r"[,，]?\s*but\s+(?:it\s+)?(?:success(?:ful)?|succeeds?|works?|worked|runs?|ran|fine|ok)\s+(?:with|on)\s+"
        r"\d+\s*x?\s*[^,.;\n]*",
        " ",
    ),
    (r"\b\d{1,2}\s+connected\s+(?:via|with|to|through)\b[^,.;\n]*", " "),
    # a card said again with `the` after it was counted (`a pair of W6800s and the W6800s are faster`)
    (
        r"\bthe\s+(?P<card>(?:[a-z]{1,3}\s*)?\d{3,4}[a-z]*?)s?\b(?=\s+(?:are|is|were|was|run|runs|have|has))",
        _said_again,
    ),
    # a gfx target beside a named AMD card
    (r"\bgfx\d{3,4}[a-z]?(?::[a-z]+[+-])*", _gfx_beside_card),
    # `both B70 cards`: two of them
    (r"\bboth\s+((?:rtx\s*|rx\s*|arc\s*(?:pro\s*)?)?[a-z]?\d{2,4}[a-z]*)\s+(?:cards|gpus)\b", r"2x \1"),
)


# llama.cpp lists its devices (`found 1 CUDA devices: Device 0: Quadro GP100`) and then names the one it loads onto
# (`using device CUDA0 (Quadro GP100) - 15203 MiB free`): the same card twice, so the second line goes when the list
# is there
_DEVICE_LIST = re.compile(r"\bfound\s+\d+\s+(?:cuda|rocm|vulkan|sycl|metal)\s+devices?\b")
_LOADED_ON = re.compile(
    r"\busing\s+device\s+(?:cuda|vulkan|rocm|sycl|metal|hip)\d+\s*\([^)\n]*\)(?:\s*\([^)\n]*\))?"
    r"(?:\s*-\s*\d+\s*mib\s+free)?"
)


# llama.cpp's `--list-devices` names a card once for each backend built in (`CUDA0: NVIDIA GeForce RTX 5060 ...` and
# `Vulkan1: NVIDIA GeForce RTX 5060 ...`): with a CUDA, ROCm or SYCL line there, the Vulkan lines say the cards again
_AVAILABLE_DEVICES = re.compile(r"\bavailable\s+devices\s*:[\s\S]*?\b(?:cuda|rocm|sycl)\d+\s*:")
_VULKAN_LINE = re.compile(r"(?m)^[ \t]*vulkan\d+\s*:[^\n]*$")


# llama.cpp's device list cut short in a paste (`found 4 ROCm devices:` over two `Device N:` lines of one card): the
# header's count stands, the one card listed for each
_FOUND_DEVICES = re.compile(r"\bfound\s+(?P<n>\d{1,2})\s+(?:cuda|rocm|vulkan)\s+devices?\b")  # SYCL counts CPUs too
_DEVICE_LINE = re.compile(r"(?m)^[ \t]*device\s+\d{1,2}\s*:[^\n]*$")


def _cut_device_list(s: str) -> str:
    found = _FOUND_DEVICES.search(s)
    lines = _DEVICE_LINE.findall(s)
    if not found or not lines or len(lines) >= int(found.group("n")):
        return s
    names = {re.split(r"[,(]", line.split(":", 1)[1])[0].strip() for line in lines}
    if len(names) != 1:
        return s
    return s + "\n" + "\n".join([lines[-1]] * (int(found.group("n")) - len(lines)))


def clean_pastes(s: str) -> str:
    for pattern, repl in NINTH_ROUND:
        s = compiled(pattern).sub(repl, s)
    for pattern, repl in EIGHTH_ROUND:
        s = compiled(pattern).sub(repl, s)
    s = _cut_device_list(s)
    if _AVAILABLE_DEVICES.search(s):
        s = _VULKAN_LINE.sub(" ", s)
    if _DEVICE_LIST.search(s):
        s = _LOADED_ON.sub(" ", s)
    for pattern, repl in PASTES:
        s = compiled(pattern).sub(repl, s)
    return s
