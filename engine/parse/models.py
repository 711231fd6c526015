"""Model names people type -> catalog models: names and aliases, Hugging Face repo ids, and bare sizes (`70B`,
`30B-A3B`) sized as ad-hoc models with the nearest catalog model's architecture.

Every failure raises RigfitError naming what was not understood and what would be.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from catalog.catalog import Catalog
from catalog.lookup import NameIndex
from catalog.types import Attention, Experts, Model
from engine.errors import ErrorCode, RigfitError
from engine.parse.labels import Label, metadata_names, metadata_params_b, read_as, read_label, read_metadata
from engine.parse.options import MAX_INPUT_CHARS

_ADHOC = re.compile(r"^(?P<total>\d+(?:\.\d+)?)\s*b(?:[-_\s]*a(?P<active>\d+(?:\.\d+)?)\s*b)?$")


# How people shorten names in chat, before the names are looked up: DeepSeek's version glued to `ds` (`dsv32 awq`:
# DeepSeek V3.2, `dsv3`, `dsr1`), MiniMax's and Kimi's releases without their series letter (`Minimax 2.7`:
# MiniMax-M2.7, `kimi 2.5`: Kimi K2.5), a variant word after the size (`Qwen3 30b coder`: Qwen3-Coder 30B), a Hub repo's
# branch named for a size (`huggingface.co/cortexso/gemma3/tree/27b`: the repo's 27B build, as `gemma3:27b` names it)
_ABBREVIATIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)\bds[-_ ]?v(\d)(\d)\b"), r"deepseek v\1.\2"),
    (re.compile(r"(?i)\bds[-_ ]?(v\d(?:\.\d)?|r1)\b"), r"deepseek \1"),
    (re.compile(r"(?i)\bminimax[-_ ]+(?=\d\.\d\b)"), "minimax m"),
    (re.compile(r"(?i)\bkimi[-_ ]+(?=\d\.\d\b)"), "kimi k"),
    (
        re.compile(r"(?i)^(?P<fam>[a-z]+\s?\d(?:\.\d)?)\s+(?P<size>\d+(?:\.\d+)?b)\s+(?P<var>coder|vl|next)\b"),
        r"\g<fam> \g<var> \g<size>",
    ),
    (
        re.compile(
            r"(?i)^(?:https?://)?(?:www\.)?(?:hf\.co|huggingface\.co)/[^/\s]+/(?P<repo>[^/\s]+)/tree/(?P<size>\d+(?:\.\d+)?b)/?$"
        ),
        r"\g<repo>:\g<size>",
    ),
)


_LOCAL_PATH = re.compile(r"^(?:~|\.{1,2})?/(?:[^/\s]+/)+(?P<name>[^/\s]+)/?$")
_CJK_TAIL = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u3000-\u303f\uff00-\uffef]+$")
_FAMILY_GLUED_TO_SIZE = re.compile(r"(?i)^([a-z]{4,})(\d+(?:\.\d+)?b)(?=$|[-_:])")
# a config or notes file named after the model (`models/deepseek-ai/DeepSeek-V4-Flash.yaml`): the name without it
_CONFIG_SUFFIX = re.compile(r"(?i)\.(?:ya?ml|json|toml|md|txt)$")
# a relative path under a local models folder (`models/deepseek-ai/DeepSeek-V4-Flash`): its last two parts, the repo id
_RELATIVE_PATH = re.compile(
    r"(?i)^(?:models?|weights|checkpoints?|ckpts?|llms?|hf|huggingface|cache|data)/(?:[^/\s:]+/)*"
    r"(?P<repo>[^/\s:]+/[^/\s:]+)/?$"
)
_QUANT_ALTERNATIVES = re.compile(r"(?i)\b((?:i?q\d\w*|bf16|f16|fp8))/(?=(?:i?q\d\w*|bf16|f16|fp8)\b)")
_GLUED_QWEN_VERSION = re.compile(r"(?i)\bqwen([23])([0-9])(?=[-_]\d+(?:\.\d+)?b\b)")


def _written_around(query: str) -> str:
    """A name as people paste it around the model's own: a local directory's path (`/home/qwen/Qwen2-7B-Instruct`:
    its last part), ModelScope's directory names (`Qwen2___5-VL-72B`: `___` for `.`), words in Chinese or Japanese
    glued after it (`deepseekv4flash级别的模型`), a Qwen version with its dot left out (`qwen36-27b`), quant types
    given as alternatives (`IQ2XXS/Q2_K`: not a repo id), a family's name glued to a size (`llama7b`, `qwen72b-chat`), a
    config file named after the model (`...DeepSeek-V4-Flash.yaml`), a models folder's relative path (its last two
    parts, the repo id)."""
    local = _LOCAL_PATH.match(query)
    query = local.group("name") if local else query
    query = _CONFIG_SUFFIX.sub("", query)
    relative = None if query.lower().endswith(".gguf") else _RELATIVE_PATH.match(query)
    query = relative.group("repo") if relative else query
    query = _CJK_TAIL.sub("", query.replace("___", ".")).strip() or query
    query = _GLUED_QWEN_VERSION.sub(r"qwen\1.\2", _QUANT_ALTERNATIVES.sub(r"\1 ", query))
    return _FAMILY_GLUED_TO_SIZE.sub(r"\1-\2", query)


def _unabbreviated(query: str) -> str:
    for pattern, repl in _ABBREVIATIONS:
        query = pattern.sub(repl, query)
    return query


def parse_model(text: str, catalog: Catalog) -> Model:
    query = (text or "").strip()
    if not query:
        raise RigfitError(
            "Tell me a model, e.g. `glm-5.2`, `qwen3-30b-a3b` or `70B`.", field="model", code=ErrorCode.MODEL_MISSING
        )
    if len(query) > MAX_INPUT_CHARS:
        pasted = _by_metadata(query[:METADATA_MAX_CHARS], catalog)  # a block of llama.cpp's log, longer than a name
        if pasted is not None:
            return pasted
        raise RigfitError(
            f"That model name is {len(query)} characters; keep it under {MAX_INPUT_CHARS}.",
            field="model",
            code=ErrorCode.INPUT_TOO_LONG,
            limit=MAX_INPUT_CHARS,
        )
    query = _unabbreviated(_in_latin_letters(_written_around(_named_in_command(query))))
    repo_id = _repo_id(query)
    by_repo = _by_hf_repo(repo_id, catalog)
    if by_repo is not None:
        return by_repo
    name = _without_packaging(repo_id.split("/")[-1])
    exact = catalog.model_names.exact(name) or catalog.model_names.exact(query)
    if exact is not None:
        return catalog.models[exact]
    _refuse_encoder(query, name)
    described = _by_llama_cpp_description(query, catalog)
    if described is not None:
        return described
    adhoc = _ADHOC.match(_FILLER.sub("", name.lower()).replace(" ", ""))
    if adhoc:
        return _adhoc_model(float(adhoc.group("total")), adhoc.group("active"), catalog)
    base = _base_named_in(name, catalog)
    derived = _derivative_of(name, catalog) if base is None or _derivative_run_longer(name, catalog) else None
    if derived is not None:  # a derivative's name is never its base's own: the card always says which base it read
        return derived.model_copy(update={"asked_as": repo_id})
    if base is not None and _names_another_release_of_a_derivative(name, catalog):
        base = None
    named = base or _base_by_family_and_size(name, catalog)
    if named is not None:
        return _as_named(named, repo_id, name)
    res = catalog.find_model(name)
    if res.id is not None:
        return catalog.models[res.id]
    respelled = _respelled(query, catalog)
    if respelled is not None:
        return parse_model(respelled, catalog)
    sized = _sizes(name)
    if sized:
        total, active = sized[0]
        like = _family_matches(name, catalog)
        return _adhoc_model(total, None if active is None else f"{active:g}", catalog, named=repo_id, like=like)
    if res.candidates:
        names = tuple(catalog.models[c].name for c in res.candidates[:5])
        raise RigfitError(
            f"`{query[:80]}` could mean several models.",
            field="model",
            code=ErrorCode.MODEL_AMBIGUOUS,
            suggestions=names,
        )
    names = tuple(catalog.models[c].name for c in res.suggestions)
    raise RigfitError(
        f"I don't know the model `{query[:80]}`. Use a catalog name, a Hugging Face repo id, or a size like `70B` "
        "or `30B-A3B`.",
        field="model",
        code=ErrorCode.MODEL_UNKNOWN,
        suggestions=names,
    )


METADATA_MAX_CHARS = 20_000  # of a pasted llama.cpp log searched for the model's metadata lines


def _by_llama_cpp_description(query: str, catalog: Catalog) -> Model | None:
    """What llama.cpp prints of a file: its description (`qwen3moe 30B.A3B Q4_K - Medium`, a llama-bench row) or GGUF
    metadata lines (`general.name str = Qwen3 30B A3B Instruct 2507`, `print_info: model type = 30B.A3B`); None
    when the text is neither."""
    label = read_label(query)
    if label is not None:
        return _by_label(label, catalog)
    return _by_metadata(query, catalog)


def _by_metadata(query: str, catalog: Catalog) -> Model | None:
    """The model GGUF metadata lines name, most specific name first; None when the text holds none."""
    meta = read_metadata(query)
    unread: RigfitError | None = None
    for name in metadata_names(meta):
        label = read_label(name, metadata_params_b(meta))
        if label is not None:
            return _by_label(label, catalog)
        try:
            model = parse_model(name, catalog)
        except RigfitError as exc:
            unread = unread or exc
            continue
        if not model.adhoc:
            return model
    if "model type" in meta:
        return parse_model(meta["model type"].replace(".A", "-A"), catalog)  # `30B.A3B` alone: a size
    if unread is not None:
        raise unread  # names the metadata's own name (`general.name = Models`), not the whole line
    ftype = meta.get("file type") or meta.get("model ftype")
    if ftype:
        raise RigfitError(
            f"`{ftype[:40]}` is the file's type, not its model: give the `general.name` or `model type` line, or the "
            "model's name.",
            field="model",
            code=ErrorCode.MODEL_UNKNOWN,
        )
    return None


def _by_label(label: Label, catalog: Catalog) -> Model:
    """The catalog model of the label's architecture and size, the card naming what else it fits; a label that fits
    none is sized as an ad-hoc model with the nearest design of its architecture."""
    reading = read_as(label, catalog)
    model = reading.model
    if model is None or (label.size_b is None and label.active_b is None and label.effective is None):
        return _adhoc_label(label, reading.pool, catalog, [m.name for m in reading.models])
    alike = tuple(m.name for m in reading.models[1:])
    if not alike and catalog.model_names.exact(label.text) == model.id:
        return model  # `gemma3 27B`: the model's own name as well
    return model.model_copy(update={"asked_as": label.text, "from_label": True, "label_alike": alike})


def _adhoc_label(label: Label, pool: tuple[Model, ...], catalog: Catalog, fits: list[str]) -> Model:
    total = label.size_b
    if total is None:
        raise RigfitError(
            f"llama.cpp's label `{label.text[:80]}` gives no size I can read"
            + (f"; it could be {', '.join(fits[:5])}" if fits else "")
            + ". Give the model's name, or its llama-bench row with the params column.",
            field="model",
            code=ErrorCode.MODEL_AMBIGUOUS if fits else ErrorCode.MODEL_UNKNOWN,
            suggestions=tuple(fits[:5]),
        )
    active = f"{label.active_b:g}" if label.active_b is not None else None
    model = _adhoc_model(total, active, catalog, named=label.text, like=list(pool) or None)
    return model.model_copy(update={"from_label": True})


# A model hub before a repo id: Hugging Face and ModelScope by host (`hf.co/`, `modelscope.cn/`) or by the scheme
# tools write for them (RamaLama's `huggingface://`, `hf://`, `modelscope://`)
_HUB_PREFIX = re.compile(
    r"(?i)^(?:(?:https?://)?(?:www\.)?(?:hf\.co|huggingface\.co|modelscope\.cn|modelscope\.co)/"
    r"|(?:hf|huggingface|modelscope|ms)://)"
)
# A model id as the one string argument of an SDK call (`openrouter("qwen/qwen3-coder")`, `ollama.chat('llama3')`) or
# as the value of a `--model` option alone (`--model='ollama/deepseek-r1:8b'`): the id itself
_CALL_ARGUMENT = re.compile(
    r"""^(?:[A-Za-z_][\w.]*\(\s*["'](?P<id>[^"']+)["']\s*\)"""  # `openrouter("qwen/qwen3-coder")`
    r"""|--?(?:model|model-path|model-name|m)(?:=|\s+)["']?(?P<opt>[^"'\s]+)["']?)$"""  # `--model='ollama/...'`
)
# A provider's or the Ollama library's model page (`https://openrouter.ai/qwen/...`, `https://ollama.com/library/x:tag`,
# the registry's `registry.ollama.ai/library/qwen2.5:32b` in Ollama's logs)
_PROVIDER_PAGE = re.compile(
    r"(?i)^(?:https?://)?(?:www\.)?(?:openrouter\.ai/(?:models/)?|(?:registry\.)?ollama\.(?:com|ai)/(?:library/)?)(?=\S)"
)
# A serving provider's prefix before the model's own id: Cloudflare Workers AI (`@cf/qwen/qwen3-30b-a3b-fp8`,
# `@hf/nousresearch/...`) and LiteLLM's provider routes (`openrouter/moonshotai/kimi-k2`, `ollama/llama4:16x17b`).
# Also LiteLLM's and gateways' routes to hosted APIs (`together_ai/meta-llama/...`, `deepinfra/...`, `groq/...`,
# `nvidia-nim/nvidia/...`) and `ollama:` before a tag.
_PROVIDER_PREFIX = re.compile(
    r"(?i)^(?:(?:@cf|@hf|openrouter|ollama|ollama_chat|hosted_vllm|lm_studio|huggingface|together_ai|together|deepinfra"
    r"|fireworks_ai|groq|cerebras|sambanova|nebius|novita|nvidia_nim|nvidia-nim|vertex_ai)/|ollama:)(?=.)"
)
# Fireworks' ids write a version's dot as `p` and Llama's version with a `v`: `accounts/fireworks/models/llama-v3p3-70b-
# instruct` is Llama 3.3 70B, `kimi-k2p5` Kimi K2.5.
_FIREWORKS = re.compile(r"(?i)^accounts/fireworks/models/(?P<model>\S+)$")
_FIREWORKS_DOT = re.compile(r"(?<=\d)p(?=\d)")
_FIREWORKS_LLAMA_V = re.compile(r"(?i)(?<=llama-)v(?=\d)")
# Ollama's default tag names no size: `gemma3n:latest` is `gemma3n`.
_LATEST_TAG = re.compile(r"(?i):latest$")
# A model that encodes text rather than generating it, as its name says: an embedding model (`Qwen3-Embedding-8B`,
# `nomic-embed-text`, `mxbai-embed-large`, `jina-embeddings-v3`, `bge-m3`, `multilingual-e5-large`, `gte-Qwen2-7B`)
# or a reranker (`bge-reranker-v2-m3`, `Qwen3-Reranker-4B`). Sizing one as a chat model gives a decode speed, a KV
# cache at a chat context and chat commands, none of which it has.
_ENCODER = re.compile(
    r"(?i)(?:^|[\s/_:.-])"
    r"(?:embed(?:dings?)?|rerank(?:er|ing)?|bge|gte|(?:multilingual[\s_-])?e5[\s_-](?:small|base|large|mistral))"
    r"(?=$|[\s/_:.-]|\d)"
)


def _refuse_encoder(query: str, name: str) -> None:
    """An embedding or reranker model named (not a pasted log, which names tensors such as `token_embd`)."""
    if "\n" in query or not _ENCODER.search(name):
        return
    kind = "a reranker" if re.search(r"(?i)rerank", name) else "an embedding model"
    sized = _sizes(name)
    weights = (
        f" Its weights take about {sized[0][0] * 8.5 / 8:.1f} GB at Q8_0 and {sized[0][0] * 2:.1f} GB at 16 bits."
        if sized
        else ""
    )
    raise RigfitError(
        f"`{name[:80]}` reads as {kind}: it encodes text and generates no tokens, so a decode speed, a chat context's "
        f"KV cache and a chat command do not apply, and rigfit sizes models that generate text.{weights} llama.cpp "
        "serves a GGUF of one with `llama-server --embedding` (a reranker with `--reranking`).",
        field="model",
        code=ErrorCode.MODEL_NOT_GENERATIVE,
    )


_FILLER = re.compile(r"(?i)\b(?:an?|the|model|llm|dense)\b")
# What a packaged upload adds to the original's name: a file extension and shard, a GGUF quant type (llama.cpp's
# names, Unsloth's UD- prefix), a format or precision (MLX bits, AWQ/GPTQ int4, FP8, bitsandbytes, QAT, imatrix).
_QUANT_TYPE = r"(?:ud[-_])?(?:i?q[1-8](?:_[0-9a-z]+)*|tq[12]_0|bf16|f16|fp16|f32|fp32|mxfp4(?:_moe)?)"
# mradermacher's imatrix files (`Qwen3-30B-A3B.i1-Q4_K_M.gguf`), RedHatAI's `-quantized.w4a16`, EXL3's `-4.00bpw`
_FILE_TAIL = re.compile(
    rf"(?i)(?:[-_.](?:\d{{5}}-of-\d{{5}}|gguf|ggml(?:v\d)?|bin|safetensors|i1|quantized|w\d+a\d+|\d+(?:\.\d+)?bpw|{_QUANT_TYPE}))+$"
)
_BRACKETED_QUANT = re.compile(rf"(?i)\s*\(\s*{_QUANT_TYPE}\s*\)$")
_PACKAGING = frozenset(
    [
        "gguf",
        "ggml",
        "mlx",
        "awq",
        "gptq",
        "exl2",
        "exl3",
        "bnb",
        "int4",
        "int8",
        "w4a16",
        "w8a8",
        "w4a4",
        "fp8",
        "nvfp4",
        "mxfp4",
        "mxfp8",
        "dynamic",
        "dwq",
        "qat",
        "imat",
        "imatrix",
        "i1",
        "autoround",
        "quantized",
        "4bit",
        "3bit",
        "5bit",
        "6bit",
        "8bit",
        "2bit",
        "4-bit",
        "8-bit",
        "q4",
        "q8",
        "unsloth",
        "cloud",  # Ollama's cloud tags: `qwen3-coder:480b-cloud`, `glm-4.6:cloud`
        "maas",  # Vertex AI's model-as-a-service ids: `minimaxai/minimax-m2-maas`
        "hf",
        "instruct",
        "it",
        "chat",
        "base",
        "text",
        "only",
    ]
)
_TOKEN_SPLIT = re.compile(r"[\s_\-/:]+")
# Short names fine-tuners give a base model: Sao10K's `L3-8B-Stheno`, `L3.3-70B-Euryale` mean Llama 3 / 3.3.
# `ds v3.1` (r/LocalLLaMA's DeepSeek, Microsoft's `MAI-DS-R1`) means DeepSeek.
_SHORTHAND = {
    "l3": "llama-3",
    "l3.1": "llama-3.1",
    "l3.2": "llama-3.2",
    "l3.3": "llama-3.3",
    "l2": "llama-2",
    "ds": "deepseek",
}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)([bm])$")
_ACTIVE = re.compile(r"^a(\d+(?:\.\d+)?)b$")
SIZE_TOLERANCE = 0.15  # a size written in a name is the model's total (or active) count rounded: 8B for 8.03B


_OLLAMA_SIZE_TAG = re.compile(r"(?i)\d+(?:\.\d+)?[bm](?:$|[-_])")


# A launch command pasted whole: `ollama run qwen3:30b`, `vllm serve Qwen/Qwen3-Next-80B-A3B-Instruct`,
# `llama-server -hf unsloth/gpt-oss-20b-GGUF:F16`, `python -m sglang.launch_server --model-path ...`,
# `mlx_lm.server --model mlx-community/...`: the model is the word after the subcommand or the model flag.
_LAUNCHER = re.compile(r"(?i)^(?:\S*/)?(?:ollama|vllm|llama-server|llama-cli|llama-bench|mlx_lm\.\w+|lms|python3?)\s")
_SUBCOMMAND_MODEL = re.compile(
    r"(?i)^(?:\S*/)?(?:ollama\s+(?:run|pull)|vllm\s+serve|lms\s+(?:get|load))\s+(?P<model>[^\s-]\S*)"
)
_MODEL_FLAG = re.compile(r"(?i)\s(?:--model(?:-path)?|--hf-repo|-hfr?)(?:\s+|=)(?P<model>[^\s-]\S*)")
# llama.cpp's `-m FILE` (python's `-m` names a module)
_LLAMA_CPP_MODEL_FILE = re.compile(r"(?i)^(?:\S*/)?llama-\w+(?:\s.*?)?\s-m(?:\s+|=)(?P<model>[^\s-]\S*)")


def _named_in_command(query: str) -> str:
    """The model a pasted launch command names, or the text as it is when it is no launch command."""
    if not _LAUNCHER.match(query):
        return query
    found = _SUBCOMMAND_MODEL.match(query) or _MODEL_FLAG.search(query) or _LLAMA_CPP_MODEL_FILE.match(query)
    return found.group("model").strip("'\"") if found else query


# What Chinese and Japanese posts call a lab's models (通义千问 / 千问 Qwen, 深度求索 DeepSeek, 智谱 the lab behind GLM,
# 月之暗面 Moonshot's Kimi, 文心 ERNIE, 混元 Hunyuan): `千问3 30B` is Qwen3 30B, `深度求索 V3.1` DeepSeek V3.1.
_NATIVE_NAMES = (
    ("通义千问", "qwen"),
    ("通義千問", "qwen"),
    ("千问", "qwen"),
    ("千問", "qwen"),
    ("深度求索", "deepseek "),
    ("智谱", " "),
    ("智譜", " "),
    ("月之暗面", "kimi "),
    ("文心", "ernie "),
    ("混元", "hunyuan "),
)


def _in_latin_letters(query: str) -> str:
    """The name with a lab's or family's Chinese or Japanese name written as the family word the catalog uses."""
    for native, latin in _NATIVE_NAMES:
        query = query.replace(native, latin)
    return query.strip()


_WORD_START = re.compile(r"(?<![A-Za-z])[A-Za-z]{4,}")


def _respelled(query: str, catalog: Catalog) -> str | None:
    """The name with a family word typed one letter off written right (`quen3` Qwen3, `lama 3.3` Llama 3.3, `deepseak`,
    `mistrall`), or None when no word is: a word a name of that family holds is never respelled (`mixtral` is not a
    mistyped `mistral`), and the first letter must agree (`Ring` is not a mistyped `Ling`)."""
    by_word = {
        w: f for f in {m.family for m in catalog.models.values()} for w in _parts(f) if w.isalpha() and len(w) >= 4
    }
    out = query
    for found in reversed(list(_WORD_START.finditer(query))):
        word = found.group().lower()
        near = [w for w in by_word if w[0] == word[0] and _one_edit_apart(word, w)]
        if len(near) != 1 or _named_in_family(word, by_word[near[0]], catalog):
            continue
        out = out[: found.start()] + near[0] + out[found.end() :]
    return out if out != query else None


def _named_in_family(word: str, family: str, catalog: Catalog) -> bool:
    """True if a name of a model of the family holds the word as one of its parts."""
    return any(word in _own_parts(m) for m in catalog.models.values() if m.family == family)


def _one_edit_apart(a: str, b: str) -> bool:
    """True if one letter inserted, removed or replaced turns `a` into `b`."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _repo_id(query: str) -> str:
    """`hf.co/unsloth/Qwen3-30B-A3B-GGUF:Q4_K_M` (Ollama's and llama-server's way to name a Hub file) -> the repo id."""
    query = _PROVIDER_PAGE.sub("", _CALL_ARGUMENT.sub(lambda m: m.group("id") or m.group("opt"), query.strip()))
    text = _LATEST_TAG.sub("", _PROVIDER_PREFIX.sub("", _HUB_PREFIX.sub("", query)))
    fireworks = _FIREWORKS.match(text)
    if fireworks:
        return _FIREWORKS_LLAMA_V.sub("", _FIREWORKS_DOT.sub(".", fireworks.group("model")))
    if text.lower().endswith(".gguf"):
        return text.rsplit("/", 1)[-1]  # a file's path (`./models/...gguf`, a repo's `resolve/main/...gguf`): its name
    if "/" in text:
        repo, _, tag = text.partition(":")
        text = "/".join(repo.strip("/").split("/")[:2])
        if tag and not _HUB_PREFIX.match(query.strip()) and _OLLAMA_SIZE_TAG.match(tag):
            text += "-" + tag  # a model in a user's Ollama namespace (`alibayram/medgemma:27b`): the tag is its size
    return text


# What a fine-tune's name says of its training, not of its size: the tokens it was trained on (`-100B-tokens`) and
# BitNet's ternary weights (`-1.58`, `1.58bit`); distributed-llama's quant suffixes (`_q40`, `_q80`: Q4_0, Q8_0)
_TRAINING_NOTES = re.compile(r"(?i)[-_.]\d+(?:\.\d+)?[bt][-_]tokens?\b|[-_]1\.58(?:[-_]?bits?)?(?=[-_.]|$)|_q[48]0$")
# A version written with an underscore after the family's number in a name joined by underscores throughout
# (`llama3_1_8b`, `llama3_3_70b`: 3.1, 3.3; not `InternVL3_5-8B`, the catalog's own spelling)
_UNDERSCORED_VERSION = re.compile(r"(?i)(?<=[a-z]\d)_(\d{1,2})(?=_)")


def _without_packaging(name: str) -> str:
    """The original's name inside an upload's or a file's: `Llama-3.3-70B-Instruct-Q4_K_M.gguf` -> `Llama-3.3-70B`,
    `Qwen3-32B-AWQ` -> `Qwen3-32B`, `llama3.1:8b-instruct-q8_0` -> `llama3.1 8b`."""
    name = _BRACKETED_QUANT.sub("", name.strip())  # `DeepSeek-14b(Q4_KM)`: the quant in brackets after the name
    name = _FILE_TAIL.sub("", _TRAINING_NOTES.sub("", name))
    name = _UNDERSCORED_VERSION.sub(r".\1", name)
    words = [w for w in _TOKEN_SPLIT.split(name) if w]
    kept = [w for w in words if w.lower() not in _PACKAGING and not re.fullmatch(_QUANT_TYPE, w, re.I)]
    return " ".join(kept or words)


def _tokens(name: str) -> list[str]:
    words = [_SHORTHAND.get(w.lower(), w.lower()) for w in _TOKEN_SPLIT.split(name) if w]
    return [t for w in words for t in w.split("-") if t]


def _sizes(name: str) -> list[tuple[float, float | None]]:
    """Sizes written in a name, in billions: `70B` -> (70, None), `30B-A3B` -> (30, 3), `135M` -> (0.135, None)."""
    tokens = _tokens(name)
    out: list[tuple[float, float | None]] = []
    for i, t in enumerate(tokens):
        m = _SIZE.match(t)
        if m:
            total = float(m.group(1)) / (1000 if m.group(2) == "m" else 1)
            nxt = _ACTIVE.match(tokens[i + 1]) if i + 1 < len(tokens) else None
            out.append((total, float(nxt.group(1)) if nxt else None))
    return out


def _size_agrees(model: Model, name: str) -> bool:
    """True if every size written in the name is the model's total count (within SIZE_TOLERANCE): `deepseek-r1:32b`
    is not the 671B DeepSeek-R1 although 32 is near its 37B active."""
    return all(abs(math.log(total / model.total_params_b)) <= SIZE_TOLERANCE for total, _active in _sizes(name))


def _base_named_in(name: str, catalog: Catalog) -> Model | None:
    """A catalog model whose name or alias is a run of the words of `name`, the longest run first:
    `Hermes-3-Llama-3.1-70B` -> Llama 3.1 70B, `dolphin-2.5-mixtral-8x7b` -> Mixtral 8x7B. A run whose model
    disagrees with a size written in the name is passed over (`Mistral-Large-3-675B` is not Mistral Large 2)."""
    return _longest_run_in(name, catalog.model_names, catalog)


def _longest_run_in(name: str, index: NameIndex, catalog: Catalog) -> Model | None:
    """The model `index` names by a run of the words of `name`, the longest run first, its size agreeing and the
    words around the run not naming another model (_contradicted)."""
    found = _longest_run(name, index, catalog)
    return found[0] if found else None


def _longest_run(name: str, index: NameIndex, catalog: Catalog) -> tuple[Model, int] | None:
    """_longest_run_in's model and the number of words of its run."""
    tokens = _tokens(name)
    for length in range(len(tokens), 0, -1):
        for start in range(len(tokens) - length + 1):
            found = index.exact("-".join(tokens[start : start + length]))
            if found is None:
                continue
            model = catalog.models[found]
            run = tokens[start : start + length]
            sized = _size_agrees(model, name) or _run_states_its_size(model, run)
            if sized and not _contradicted(model, tokens, start, start + length):
                return model, length
    return None


def _run_states_its_size(model: Model, run: list[str]) -> bool:
    """True if the run of words that names the model writes the model's own size: then another size elsewhere in the
    name is not the model's (`Qwen3-Coder-30B-A3B-Instruct-480B-Distill` is the 30B, distilled from the 480B)."""
    written = " ".join(run)
    return bool(_sizes(written)) and _size_agrees(model, written)


def _names_another_release_of_a_derivative(name: str, catalog: Catalog) -> bool:
    """True if the words hold a derivative's name as a longer run than any catalog name, though the words around it
    name another release of it: `K2-Think-V2` (LLM360's 70B) is neither K2-Think (a Qwen2.5-32B) nor, by the alias
    `k2` inside it, Kimi K2."""
    tokens = _tokens(name)
    base = _longest_run(name, catalog.model_names, catalog)
    runs = ((s, n) for n in range(len(tokens), 0, -1) for s in range(len(tokens) - n + 1))
    longest = max((n for s, n in runs if catalog.derivative_names.exact("-".join(tokens[s : s + n]))), default=0)
    return longest > (base[1] if base else 0)


def _derivative_run_longer(name: str, catalog: Catalog) -> bool:
    """True if a derivative's name is a longer run of the words than any catalog name: `K2-Think` (a Qwen2.5-32B
    fine-tune) is not Kimi K2, whose alias `k2` is only part of it."""
    derived = _longest_run(name, catalog.derivative_names, catalog)
    base = _longest_run(name, catalog.model_names, catalog)
    return derived is not None and (base is None or derived[1] > base[1])


# Words that name a tier of a family, each its own model: `Mistral Medium 3` is not Mistral 7B (the alias `mistral`),
# `Phi-4-mini-flash-reasoning` (a hybrid) is not Phi-4-mini.
# Granite 4.0's `h` marks its hybrid (Mamba-2) models, each its own: Ollama's `granite4:micro-h` is not Micro.
_TIERS = frozenset(
    {"tiny", "micro", "nano", "mini", "small", "medium", "large", "flash", "lite", "max", "ultra", "super", "air"}
    | {"scout", "maverick", "behemoth", "h"}
)
# A release's thinking-only model beside its instruct one (`Qwen3-235B-A22B-Thinking-2507`, `Kimi K2 Thinking`): a
# name that says `thinking` is not a model whose own names never do (`qwen3 235b 2507 thinking` is not the Instruct).
_THINKING = "thinking"
_V_PREFIX = re.compile(r"^v(?=\d)")
_SHORT_VERSION = re.compile(r"^\d{1,2}(?:\.\d+)?$")  # 3, 3.1: not a release date such as 0324 or 2507


def _own_parts(model: Model) -> set[str]:
    """The family words, versions and sizes of a model's id, name, aliases and repo name."""
    return {
        p for text in (model.id, model.name, *model.aliases, (model.hf_repo or "").split("/")[-1]) for p in _parts(text)
    }


def _contradicted(model: Model, tokens: list[str], start: int, end: int) -> bool:
    """True if the words beside a name's run name another model than the run's: a tier word the model lacks, or a
    version right after the run that the model, which has versions, lacks (`Mistral Large 3` is not Mistral Large
    2)."""
    own = _own_parts(model)
    rest = [p for t in tokens[:start] + tokens[end:] for p in _WORD_PARTS.findall(t)]
    if any((p in _TIERS or p == _THINKING) and p not in own for p in rest):
        return True
    after = _V_PREFIX.sub("", tokens[end]) if end < len(tokens) else ""  # `v2` is the version 2
    has_versions = any(_SHORT_VERSION.match(p) for p in own)
    return bool(_SHORT_VERSION.match(after)) and has_versions and after not in own


_WORD_PARTS = re.compile(r"\d+x\d+b|a\d+(?:\.\d+)?b|e\d+b|\d+(?:\.\d+)?[bm]\b|\d+(?:\.\d+)?|[a-z]+")
_NOT_FAMILY = frozenset(
    {"v", "k", "b", "m", "x", "meta", "instruct", "it", "chat", "base", "hf", "preview", "reasoning", "thinking"}
)


def _parts(text: str) -> list[str]:
    """`Llama3.1-8B` -> [llama, 3.1, 8b]: family words, versions and sizes, split where letters meet digits."""
    return [p for t in _tokens(text) for p in _WORD_PARTS.findall(t)]


def _family_matches(name: str, catalog: Catalog) -> list[Model]:
    """The catalog models of the size written in the name that share most of its family words and version, best
    first: `Llama-3.1-Nemotron-70B` -> [Llama 3.1 70B]; `My-Llama-70B-Merge` -> Llama 2, 3, 3.1, 3.3 70B alike;
    `Devstral-2-123B` shares no family word with a 123B model -> []."""
    if not _sizes(name):
        return []
    query = _parts(name)
    named_families = _families_named(query, catalog)
    scored: dict[str, float] = {}
    for m in catalog.models.values():
        if not _size_agrees(m, name):
            continue
        if named_families and m.family not in named_families:
            continue  # `ibm/granite-34b-code-instruct` names Granite, not Code Llama 34B (by the word `code`)
        own = _own_parts(m)
        shared = [i for i, p in enumerate(query) if p in own]
        if not any(query[i].isalpha() and query[i] not in _NOT_FAMILY for i in shared):
            continue
        if not _whole_family_in(m, query):
            continue
        if _other_version(query, own):
            continue
        scored[m.id] = len(shared) - sum(shared) / 100  # more shared parts, then earlier in the name
    best = max(scored.values(), default=None)
    return [catalog.models[i] for i, score in scored.items() if score == best]


def _families_named(query: list[str], catalog: Catalog) -> set[str]:
    """The catalog families whose every word the name writes: `Llama-3.1-Nemotron-70B` names llama and nemotron."""
    families = {m.family for m in catalog.models.values()}
    return {f for f in families if all(w in query for w in _parts(f) if w.isalpha())}


def _whole_family_in(model: Model, query: list[str]) -> bool:
    """A family written in several words (`falcon-h1`, `gpt-oss`) is named only by all of them: `tiiuae/falcon-7b`
    (2023) is not Falcon-H1 7B. One-word families are matched by that word or by the model's own names."""
    words = [p for p in _parts(model.family) if p.isalpha()]
    return len(words) < 2 or all(w in query for w in words)


def _base_by_family_and_size(name: str, catalog: Catalog) -> Model | None:
    """The one catalog model `_family_matches` finds; with several alike, None: the size decides, as an ad-hoc model
    with the architecture of one of them."""
    found = _family_matches(name, catalog)
    return found[0] if len(found) == 1 else None


def _other_version(query: list[str], own: set[str]) -> bool:
    """True if the name writes a version after one of the model's family words (`Qwen3.5`, `gemma-4`) and the model
    has versions but not that one: a Qwen3.5-4B is not a Qwen3-4B (`Dolphin3.0-Mistral-24B`: 3.0 is Dolphin's)."""
    versions = [p for i, p in enumerate(query) if _VERSION.match(p) and i and query[i - 1] in own]
    return bool(versions) and any(_VERSION.match(p) for p in own) and not any(v in own for v in versions)


_VERSION = re.compile(r"^\d+(?:\.\d+)?$")


def _derivative_of(name: str, catalog: Catalog) -> Model | None:
    """The base of a fine-tune released under its own name (`Magistral-Small-2509` is Mistral Small 3.2): a run of
    the name's words that is a derivative the catalog lists, the longest run first, its size agreeing."""
    return _longest_run_in(name, catalog.derivative_names, catalog)


def _as_named(model: Model, repo_id: str, name: str) -> Model:
    """The base model, remembering the fine-tune's or merge's name when words other than the base's were written
    (`NousResearch/Hermes-3-Llama-3.1-70B`); an upload of the model itself under another name stays as it is."""
    own = {p for text in (model.id, model.name, *model.aliases, model.hf_repo or "") for p in _parts(text)}
    extra = [p for p in _parts(name) if p.isalpha() and p not in own and p not in _NOT_FAMILY]
    return model.model_copy(update={"asked_as": repo_id}) if extra else model


def _by_hf_repo(query: str, catalog: Catalog) -> Model | None:
    if "/" not in query:
        return None
    wanted = _FILE_TAIL.sub("", query.lower())
    for m in catalog.models.values():
        repos = [m.hf_repo or ""] + [q.repo or "" for q in m.quants] + [r.repo for r in m.gguf_repos]
        if any(r and _FILE_TAIL.sub("", r.lower()) == wanted for r in repos):
            return m
    return None


def _adhoc_model(
    total_b: float, active: str | None, catalog: Catalog, named: str | None = None, like: list[Model] | None = None
) -> Model:
    if not 0.01 <= total_b <= 100_000:
        raise RigfitError(
            f"{total_b:g}B parameters is outside what I can size (0.01B to 100000B).",
            field="model",
            code=ErrorCode.PARAMS_OUT_OF_RANGE,
        )
    active_b = float(active) if active else None
    if active_b is not None and not 0 < active_b <= total_b:
        raise RigfitError(
            f"Active parameters ({active_b:g}B) must be between 0 and the total ({total_b:g}B).",
            field="model",
            code=ErrorCode.PARAMS_OUT_OF_RANGE,
        )
    like_model = _closest_architecture(total_b, moe=active_b is not None, pool=like or _plain_designs(catalog))
    label = f"{total_b:g}B" + (f"-A{active_b:g}B" if active_b else "")
    if like_model is None:
        attention, layers, experts, ctx = Attention(kind="gqa", n_kv_heads=8, head_dim=128), 80, None, 131072
    else:
        attention, layers, experts, ctx = (
            like_model.attention,
            like_model.layers,
            like_model.experts,
            like_model.context_max_tokens,
        )
    yarn = like_model.yarn if like_model is not None else None  # the borrowed design's native and YaRN lengths
    if active_b is not None and experts is None:
        experts = Experts(n_routed=128, n_active=8)
    return Model(
        id="adhoc-" + label.lower().replace(".", "p"),
        name=f"ad-hoc {label} model",
        family="ad-hoc",
        adhoc=True,
        total_params_b=total_b,
        active_params_b=active_b,
        layers=layers,
        context_max_tokens=ctx,
        yarn=yarn,
        attention=attention,
        experts=experts if active_b is not None else None,
        source="user input",
        as_of=like_model.as_of if like_model else catalog.as_of,
        architecture_from=like_model.name if like_model else None,
        asked_as=named,
    )


SAME_SIZE = 0.15  # models within 15% of the nearest size count as equally near; the newest design wins
# Where every equally near design has sliding windows (or worse), a plain one within 2.5x the size is borrowed instead:
# an unknown model is more likely plain, and a borrowed window would understate its cache many times over.
PLAIN_REACH = math.log(2.5)


def _nearest(pool: list[Model], distance: dict[str, float]) -> list[Model]:
    """The models of the pool equally near the size (within SAME_SIZE of the nearest)."""
    nearest = min(distance[m.id] for m in pool)
    return [m for m in pool if distance[m.id] <= nearest + SAME_SIZE]


def _exotic_rank(attention: Attention) -> int:
    """How far an attention design is from the common one an unknown model most likely has: 0 full GQA/MHA on
    every layer, 1 MLA, 2 sliding-window layers, 3 hybrid (linear/recurrent or attention-free layers) or
    compressed. A borrowed hybrid would understate the KV cache of a plain model many times over (a parallel hybrid,
    Falcon-H1, would add a Mamba state it does not have)."""
    hybrid = attention.linear_attention_layers or attention.non_attention_layers or attention.parallel_state_layers
    if attention.kind == "compressed" or hybrid:
        return 3
    if attention.sliding_window_layers:
        return 2
    return 1 if attention.kind == "mla" else 0


def _plain_designs(catalog: Catalog) -> list[Model]:
    """The catalog models a bare size may borrow from when its name names no family: not hybrids or compressed
    attention (_exotic_rank 3), which are few and would be the nearest size only by chance (`0.3B` is not Falcon-H1
    0.5B, a parallel hybrid); all models if the catalog had no other."""
    plain = [m for m in catalog.models.values() if _exotic_rank(m.attention) < 3]
    return plain or list(catalog.models.values())


def _closest_architecture(total_b: float, *, moe: bool, pool: list[Model]) -> Model | None:
    """The nearest catalog model in size; among equally near ones the plainest attention (`30B-A3B` borrows
    Qwen3-30B-A3B's GQA, not Nemotron 3 Nano's hybrid), then a general model over a coding or distilled variant,
    then the most common shape (the one most near models share) and family (a bare `32B` is a Qwen 32B, not
    Seed-OSS-36B of the same KV layout and 512K context), then the longest context (the most recent design: Llama
    3.3 70B rather than Llama 2 70B for a bare `70B`)."""
    pool = [m for m in pool if m.is_moe == moe] or pool
    if not pool:
        return None
    distance = {m.id: abs(math.log(m.total_params_b / total_b)) for m in pool}
    near = _nearest(pool, distance)
    plain = [m for m in pool if _exotic_rank(m.attention) <= 1 and distance[m.id] <= PLAIN_REACH]
    if plain and all(_exotic_rank(m.attention) >= 2 for m in near):
        near = _nearest(plain, distance)  # `0.3B`: Qwen3-0.6B's plain cache, not Gemma 3 270M's 512-token windows
    shared, families = Counter(_shape(m) for m in near), Counter(m.family for m in near)
    return max(
        near,
        key=lambda m: (
            -_exotic_rank(m.attention),
            not _specialised(m),
            shared[_shape(m)],
            families[m.family],
            m.context_limit_tokens,
            -distance[m.id],
        ),
    )


def _shape(model: Model) -> tuple[int, int | None, int | None]:
    """What sizes a model's KV cache: its layers, KV heads and head width."""
    return model.layers, model.attention.n_kv_heads, model.attention.head_dim


_SPECIALISED = re.compile(r"coder|code|devstral|distill|math|guard")  # coding (Devstral is Mistral's), distilled, guard


def _specialised(model: Model) -> bool:
    """A coding, distilled or guard variant: an unknown model of its shape is more likely the general one
    (`30B-A3B` borrows Qwen3-30B-A3B, not Qwen3-Coder-30B-A3B-Instruct)."""
    return bool(_SPECIALISED.search(model.id))
