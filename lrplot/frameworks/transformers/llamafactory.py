"""LLaMA-Factory's training YAML: which of its keys are LLaMA-Factory's own, and what its data loader
does to the number of training examples the Trainer then counts its steps from.

``llamafactory-cli train FILE.yaml`` parses one flat mapping with ``HfArgumentParser`` into
LLaMA-Factory's argument dataclasses (``get_train_args``, src/llamafactory/hparams/parser.py) and a
``Seq2SeqTrainingArguments`` subclass, then trains with a ``Trainer`` subclass whose
``create_scheduler`` is the Trainer's (after ``create_custom_scheduler``, trainer_utils.py). So the
schedule is transformers' own, sized from the TrainingArguments in the file and the training set's
length. Everything here is read from hiyouga/LLaMA-Factory at commit
ff6d4d12eeb035d6ce06805a5733dd7b29f2ac30 (2026-08-18); nothing of it is imported or run.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from ...errors import ConfigError, TorchWouldRaise
from ...values import integer, number, type_name

COMMIT = "ff6d4d12"
# The init fields of the dataclasses get_train_args parses (parser.py: _TRAIN_ARGS), file by file, with
# their bases (a field named twice, like additional_target, once). HfArgumentParser takes exactly these.
OWN: dict[str, tuple[str, ...]] = {
    "ModelArguments (hparams/model_args.py)": (
        'model_name_or_path', 'adapter_name_or_path', 'adapter_folder', 'cache_dir', 'use_fast_tokenizer', 'resize_vocab',
        'split_special_tokens', 'add_tokens', 'add_special_tokens', 'new_special_tokens_config', 'init_special_tokens',
        'model_revision', 'low_cpu_mem_usage', 'rope_scaling', 'flash_attn', 'shift_attn', 'mixture_of_depths', 'use_unsloth',
        'use_unsloth_gc', 'enable_liger_kernel', 'moe_aux_loss_coef', 'disable_gradient_checkpointing', 'use_reentrant_gc',
        'upcast_layernorm', 'upcast_lmhead_output', 'train_from_scratch', 'infer_backend', 'offload_folder', 'use_kv_cache',
        'use_v1_kernels', 'infer_dtype', 'hf_hub_token', 'ms_hub_token', 'om_hub_token', 'print_param_status',
        'trust_remote_code', 'quantization_method', 'quantization_bit', 'quantization_type', 'double_quantization',
        'quantization_device_map', 'image_max_pixels', 'image_min_pixels', 'image_do_pan_and_scan', 'crop_to_patches',
        'video_max_pixels', 'video_min_pixels', 'video_fps', 'video_maxlen', 'use_audio_in_video', 'audio_sampling_rate',
        'export_dir', 'export_size', 'export_device', 'export_quantization_bit', 'export_quantization_dataset',
        'export_quantization_nsamples', 'export_quantization_maxlen', 'export_legacy_format', 'export_hub_model_id',
        'vllm_maxlen', 'vllm_gpu_util', 'vllm_enforce_eager', 'vllm_max_lora_rank', 'vllm_config', 'sglang_maxlen',
        'sglang_mem_fraction', 'sglang_tp_size', 'sglang_config', 'sglang_lora_backend', 'use_kt', 'kt_cpu_activation',
        'kt_weight_path', 'kt_non_expert_weight_path', 'kt_expert_checkpoint_path', 'kt_use_lora_experts',
        'kt_lora_expert_num', 'kt_lora_expert_intermediate_size',
    ),
    "DataArguments (hparams/data_args.py)": (
        'template', 'dataset', 'eval_dataset', 'dataset_dir', 'media_dir', 'cutoff_len', 'train_on_prompt', 'mask_history',
        'streaming', 'buffer_size', 'mix_strategy', 'interleave_probs', 'overwrite_cache', 'preprocessing_batch_size',
        'preprocessing_num_workers', 'max_samples', 'eval_num_beams', 'ignore_pad_token_for_loss', 'val_size',
        'eval_on_each_dataset', 'packing', 'neat_packing', 'tool_format', 'default_system', 'enable_thinking',
        'preserve_thinking', 'tokenized_path', 'data_shared_file_system',
    ),
    "FinetuningArguments (hparams/finetuning_args.py)": (
        'freeze_trainable_layers', 'freeze_trainable_modules', 'freeze_extra_modules', 'additional_target', 'lora_alpha',
        'lora_dropout', 'lora_rank', 'lora_target', 'loraplus_lr_ratio', 'loraplus_lr_embedding', 'use_rslora', 'use_dora',
        'pissa_init', 'pissa_iter', 'pissa_convert', 'create_new_adapter', 'module_dropout', 'oft_rank', 'oft_block_size',
        'oft_target', 'pref_beta', 'pref_ftx', 'pref_bco_weight', 'pref_loss', 'dpo_label_smoothing', 'kto_chosen_weight',
        'kto_rejected_weight', 'simpo_gamma', 'ppo_buffer_size', 'ppo_epochs', 'ppo_score_norm', 'ppo_target',
        'ppo_whiten_rewards', 'ref_model', 'ref_model_adapters', 'ref_model_quantization_bit', 'reward_model',
        'reward_model_adapters', 'reward_model_quantization_bit', 'reward_model_type', 'ld_alpha', 'use_galore',
        'galore_target', 'galore_rank', 'galore_update_interval', 'galore_scale', 'galore_proj_type', 'galore_layerwise',
        'use_apollo', 'apollo_target', 'apollo_rank', 'apollo_update_interval', 'apollo_scale', 'apollo_proj',
        'apollo_proj_type', 'apollo_scale_type', 'apollo_layerwise', 'apollo_scale_front', 'use_badam', 'badam_mode',
        'badam_start_block', 'badam_switch_mode', 'badam_switch_interval', 'badam_update_ratio', 'badam_mask_mode',
        'badam_verbose', 'use_swanlab', 'swanlab_project', 'swanlab_workspace', 'swanlab_run_name', 'swanlab_mode',
        'swanlab_api_key', 'swanlab_logdir', 'swanlab_lark_webhook_url', 'swanlab_lark_secret', 'pure_bf16', 'stage',
        'finetuning_type', 'use_llama_pro', 'use_adam_mini', 'use_mca', 'use_megatron_bridge', 'use_hyper_parallel',
        'hyper_parallel_args', 'hyper_parallel_cp_size', 'use_muon', 'use_dft_loss', 'use_asft_loss', 'asft_alpha',
        'use_eaft_loss', 'eaft_alpha', 'freeze_vision_tower', 'freeze_multi_modal_projector', 'freeze_language_model',
        'compute_accuracy', 'disable_shuffling', 'early_stopping_steps', 'plot_loss', 'include_effective_tokens_per_second',
    ),
    "GeneratingArguments (hparams/generating_args.py)": (
        'do_sample', 'temperature', 'top_p', 'top_k', 'num_beams', 'max_length', 'max_new_tokens', 'repetition_penalty',
        'length_penalty', 'skip_special_tokens',
    ),
    "its TrainingArguments' own fields (hparams/training_args.py)": (
        'ray_num_workers', 'ray_init_kwargs', 'master_addr', 'master_port', 'enable_torch_profiler', 'profiler_output_dir',
        'profiler_wait_steps', 'profiler_warmup_steps', 'profiler_active_steps', 'profiler_repeat', 'profiler_record_shapes',
        'profiler_profile_memory', 'profiler_with_stack', 'profile_modules', 'fp8', 'fp8_backend',
        'fp8_enable_fsdp_float8_all_gather', 'overwrite_output_dir',
    ),
    "its KTransformers runtime arguments (hparams/parser.py)": ('kt_config',),
}  # fmt: skip
OWN_KEYS = frozenset(k for names in OWN.values() for k in names)
# Seq2SeqTrainingArguments' fields beyond TrainingArguments' (transformers' training_args_seq2seq.py): evaluation only.
SEQ2SEQ = ("sortish_sampler", "predict_with_generate", "generation_max_length", "generation_num_beams", "generation_config")
# MegatronBridgeArguments (hparams/megatron_bridge_args.py), parsed only under USE_MEGATRON_BRIDGE=1 (and the same
# parallelism keys under USE_MCA=1, mcore_adapter's): such a run is Megatron's, not the Trainer's.
MEGATRON = (
    'tensor_model_parallel_size', 'pipeline_model_parallel_size', 'expert_model_parallel_size', 'context_parallel_size',
    'virtual_pipeline_model_parallel_size', 'sequence_parallel', 'recompute_granularity', 'recompute_method',
    'recompute_num_layers', 'account_for_embedding_in_pipeline_split', 'account_for_loss_in_pipeline_split',
    'bias_activation_fusion', 'apply_rope_fusion', 'masked_softmax_fusion', 'cross_entropy_loss_fusion', 'moe_grouped_gemm',
    'moe_token_dispatcher_type', 'calculate_per_token_loss', 'use_distributed_optimizer', 'overlap_param_gather',
    'overlap_grad_reduce', 'use_packed_sequences', 'mixed_precision', 'megatron_pretrained_checkpoint',
    'export_hf_on_finish', 'extra_config',
)  # fmt: skip
# LLaMA-Factory keys only its files have (a TRL or run_clm YAML also has model_name_or_path and TrainingArguments).
SIGNATURE = ("stage", "finetuning_type", "template", "cutoff_len", "lora_target")
# The keys that change how many training examples the Trainer sees, kept in the section's `llamafactory:` mapping.
PLAN = ("stage", "dataset", "max_samples", "val_size", "packing", "neat_packing", "streaming", "mix_strategy")
STAGES = ("pt", "sft", "rm", "ppo", "dpo", "kto")  # FinetuningArguments.stage's Literal


def plan(lf: Any, path: str) -> dict[str, Any]:
    """The `llamafactory:` mapping of a section, validated: PLAN keys only, with LLaMA-Factory's defaults."""
    if not isinstance(lf, Mapping):
        raise ConfigError(path, f"must be a mapping of LLaMA-Factory's data keys ({', '.join(PLAN)}), got {type_name(lf)}")
    from ...values import suggest

    for key in lf:
        if key not in PLAN:
            raise ConfigError(f"{path}.{key}", f"is not one of the LLaMA-Factory keys lrplot reads here{suggest(str(key), PLAN)}; it takes {', '.join(PLAN)}")
    stage = lf.get("stage", "sft")
    if stage not in STAGES:
        raise ConfigError(f"{path}.stage", f"LLaMA-Factory's stage is one of {', '.join(STAGES)}, got {stage!r}")
    if stage == "ppo":
        raise ConfigError(f"{path}.stage", "LLaMA-Factory's PPO trainer sizes its schedule its own way (per PPO batch), which lrplot does not follow; "
                          "lrplot reads the stages the Trainer trains: pt, sft, rm, dpo, kto")
    dataset = lf.get("dataset")
    names = [n.strip() for n in dataset.split(",")] if isinstance(dataset, str) else (list(dataset) if isinstance(dataset, list) else [])
    for key in ("packing", "neat_packing", "streaming"):
        if lf.get(key) is not None and not isinstance(lf[key], bool):
            raise ConfigError(f"{path}.{key}", f"must be true or false, got {lf[key]!r}")
    max_samples = lf.get("max_samples")
    if max_samples is not None:
        max_samples = integer(max_samples, f"{path}.max_samples")
        if max_samples < 1:
            raise ConfigError(f"{path}.max_samples", f"must be >= 1, got {max_samples} (it keeps the first max_samples examples of each dataset)")
    val_size = number(lf.get("val_size", 0.0), f"{path}.val_size")
    packing = lf.get("packing")
    if lf.get("neat_packing"):
        packing = True  # DataArguments.__post_init__
    if packing is None:
        packing = stage == "pt"  # parser.py: packing defaults to the pre-training stage's
    return {"stage": stage, "datasets": names, "max_samples": max_samples, "val_size": val_size, "packing": packing,
            "streaming": bool(lf.get("streaming")), "mix_strategy": lf.get("mix_strategy", "concat")}


def training_examples(size: int | None, lf: Mapping[str, Any], path: str) -> tuple[int | None, list[str]]:
    """The training set's length as the Trainer sees it, from the --dataset-size given, and the lines saying how.

    data/loader.py: each dataset keeps its first ``max_samples`` examples (_load_single_dataset), the
    datasets are merged, ``val_size`` splits the validation set off (data_utils.split_dataset, datasets'
    train_test_split: a float takes ceil(val_size x n), a number above 1 that many), and preprocessing
    tokenizes what is left: one example per sample, except where it packs (stage pt, packing) samples
    into sequences of cutoff_len tokens, a count only the tokenizer knows."""
    p = plan(lf, path)
    stage = p["stage"]
    lines = [f"LLaMA-Factory ({stage}): dataset_size is the number of training examples after its preprocessing, which the Trainer counts steps from"]
    if p["streaming"]:
        lines.append("  streaming: the dataset has no length, so the run is max_steps (LLaMA-Factory requires it)")
        return None, lines
    if size is None:
        return None, lines
    if p["packing"]:
        why = "stage pt packs" if stage == "pt" and lf.get("packing") is None else "packing: true packs"
        lines.append(f"  {why} the samples into sequences of cutoff_len tokens: give the number of packed sequences; "
                     "max_samples and val_size act on the samples before packing, so lrplot applies neither")
        return size, lines
    n = size
    k = max(len(p["datasets"]), 1)
    if p["max_samples"] is not None:
        cap = p["max_samples"] * k
        each = f"each of its {k} datasets" if k > 1 else "the dataset"
        if n > cap:
            lines.append(f"  max_samples {p['max_samples']:,} keeps the first {p['max_samples']:,} examples of {each}: {n:,} -> {cap:,}"
                         + (" (if every dataset has that many)" if k > 1 else ""))
            n = cap
        else:
            lines.append(f"  max_samples {p['max_samples']:,} caps {each} at {p['max_samples']:,}: {n:,} examples stay")
        if k > 1 and p["mix_strategy"] != "concat":
            lines.append(f"  mix_strategy {p['mix_strategy']}: give the size of the mixed dataset; lrplot caps it at {cap:,}")
    v = p["val_size"]
    if v > 1e-6:
        test: float | int = int(v) if v > 1 else v  # data_utils.split_dataset
        if isinstance(test, float) and test >= 1 or isinstance(test, int) and test >= n:
            raise TorchWouldRaise(f"{path}.val_size", f"datasets' train_test_split raises ValueError (test_size={test!r} should be smaller than "
                                  f"the number of samples {n} or a float in the (0, 1) range); lower val_size")
        n_test = math.ceil(test * n) if isinstance(test, float) else test
        if n - n_test < 1:
            raise TorchWouldRaise(f"{path}.val_size", f"datasets' train_test_split raises ValueError (the resulting train set would be empty); lower val_size")
        how = f"ceil({n:,} x {v!r}) = {n_test:,}" if isinstance(test, float) else f"{n_test:,}"
        lines.append(f"  val_size {lf.get('val_size')!r} splits {how} examples off for evaluation: {n - n_test:,} train")
        n -= n_test
    lines.append("  preprocessing keeps one training example per sample (it skips malformed ones)")
    return n, lines


def wsd_defaults(kwargs: Mapping[str, Any], warmup: int, training: int) -> tuple[dict[str, Any], str | None]:
    """create_custom_scheduler (train/trainer_utils.py): a warmup_stable_decay run gets num_stable_steps = a third
    of the steps after warmup and num_decay_steps the rest, unless lr_scheduler_kwargs gives them."""
    remaining = training - warmup
    stable = remaining // 3
    default = {"num_stable_steps": stable, "num_decay_steps": remaining - stable}
    filled = {k: v for k, v in default.items() if k not in kwargs}
    if not filled:
        return dict(kwargs), None
    said = ", ".join(f"{k} = {v:,}" for k, v in filled.items())
    return {**kwargs, **filled}, (f"LLaMA-Factory's create_custom_scheduler fills warmup_stable_decay's {said} "
                                  f"(a third of the {remaining:,} steps after warmup stable, the rest decaying)")
