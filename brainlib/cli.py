"""Command line: `python -m brainlib train|evaluate|compare|predict|bench`, with the notebooks' options."""

from __future__ import annotations

import argparse
import json
import sys

from brainlib import DEPTHS
from brainlib.profiles import PROFILES, RECIPES


def _train(args) -> int:
    from brainlib.training import TrainConfig, train

    if args.resume and len(args.depth) > 1:
        print("error: --resume continues one run; drop --depth or give one depth.", file=sys.stderr)
        return 2
    for depth in args.depth:
        train(
            TrainConfig(
                depth=depth,
                profile=args.profile,
                data_dir=args.data,
                results_dir=args.results,
                cache_dir=args.cache,
                seed=args.seed,
                epochs=args.epochs,
                image_size=args.image_size,
                batch_size=args.batch_size,
                weights=args.weights,
                recipe=args.recipe,
                mixed_precision=args.mixed_precision,
                augment=not args.no_augment,
                balance=not args.no_balance,
                freeze_backbone=args.freeze_backbone,
                feature_views=args.feature_views,
                devices=args.devices.split(",") if args.devices else None,
                resume=args.resume,
                split=args.split,
                duplicate_threshold=args.duplicate_threshold,
                groups_csv=args.groups,
            )
        )
    return 0


def _evaluate(args) -> int:
    from brainlib.evaluation import evaluate

    print(json.dumps(evaluate(args.run, args.cache), indent=2))
    return 0


def _compare(args) -> int:
    from brainlib import report, runs

    loaded = report.collect(args.results or runs.default_results_dir(), args.profile)
    if not loaded:
        print(f"No complete runs found under {args.results or runs.default_results_dir()}; train first with `python -m brainlib train`.")
        return 1
    table = report.table2(loaded)
    print(table.to_string(float_format=lambda value: f"{value:.3f}"))
    if args.out:
        runs.write_csv(args.out, report.summary(loaded))
        print(f"Summary written to {args.out}")
    return 0


def _predict(args) -> int:
    from brainlib.predict import predict

    result = predict(args.target, args.run, args.cam)
    shown = result.drop(columns=[column for column in result.columns if column.startswith("p_")])
    print(shown.to_string(index=False, float_format=lambda value: f"{value:.3f}"))
    if args.out:
        from brainlib.runs import write_csv

        write_csv(args.out, result)
        print(f"Predictions written to {args.out}")
    if args.cam:
        print(f"Grad-CAM overlays written to {args.cam}")
    return 0


def _bench(args) -> int:
    from brainlib.bench import format_results, run_benchmark, write_results

    results = run_benchmark(args.depth, args.image_size, args.batch_size, args.steps, args.warmup, args.data, args.cache)
    print(format_results(results))
    if args.out:
        write_results(results, args.out)
        print(f"Results written to {args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the train, evaluate, compare, predict and bench commands."""
    parser = argparse.ArgumentParser(prog="python -m brainlib", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train one or more ResNet depths and write run records")
    train.add_argument("--depth", type=int, nargs="+", choices=DEPTHS, default=[50], help="ResNet depths to train, one after another")
    train.add_argument("--profile", choices=sorted(PROFILES), help="sizes and lengths (default: BRAINLIB_PROFILE, else cpu)")
    train.add_argument("--data", help="data set folder (default: BRAINLIB_DATA, then a kagglehub copy, then synthetic)")
    train.add_argument("--results", help="folder for run records (default: BRAINLIB_RESULTS, else results)")
    train.add_argument("--cache", help="folder for decoded images (default: BRAINLIB_CACHE, else .cache)")
    train.add_argument("--seed", type=int, default=42, help="seed of split, shuffles, augmentation and initial weights")
    train.add_argument("--epochs", type=int, help="override the profile's number of epochs")
    train.add_argument("--image-size", type=int, help="override the profile's input side, in pixels")
    train.add_argument("--batch-size", type=int, help="override the profile's batch size")
    train.add_argument("--weights", help="imagenet, none, or a path to an .h5 weights file (default: the profile's)")
    train.add_argument("--recipe", choices=sorted(RECIPES), help="optimiser settings (default: paper with pretrained weights, scratch without)")
    train.add_argument("--mixed-precision", choices=["auto", "on", "off"], default="auto", help="bfloat16 mixed precision (auto: where supported)")
    train.add_argument("--no-augment", action="store_true", help="train without augmentation")
    train.add_argument("--no-balance", action="store_true", help="do not oversample smaller classes")
    train.add_argument("--freeze-backbone", action="store_true", help="train the head only, on backbone features computed once")
    train.add_argument("--feature-views", type=int, default=4, help="with --freeze-backbone and augmentation: augmented views of each training image to compute")
    train.add_argument("--split", choices=["naive", "grouped"], help="naive: image by image (the paper); grouped: duplicate clusters or --groups kept on one side (default: the profile's, grouped except for paper)")
    train.add_argument("--duplicate-threshold", type=int, help="perceptual-hash bits within which images count as near duplicates (grouped split)")
    train.add_argument("--groups", help="CSV with columns file and group (for example patient ids) for the grouped split")
    train.add_argument("--devices", help="comma-separated devices to train on in parallel, for example /gpu:0,/gpu:1 (default: every GPU when there are several)")
    train.add_argument("--resume", metavar="RUN_DIR", help="continue an interrupted run from its last finished epoch, with its own settings")
    train.set_defaults(handler=_train)

    evaluate = commands.add_parser("evaluate", help="reload a run's model and score its test split again")
    evaluate.add_argument("run", help="run record folder, for example results/20261204-120000-resnet50-cpu")
    evaluate.add_argument("--cache", help="folder for decoded images")
    evaluate.set_defaults(handler=_evaluate)

    compare = commands.add_parser("compare", help="print Table 2 from the newest run of each depth, beside the paper's")
    compare.add_argument("--results", help="folder of run records (default: BRAINLIB_RESULTS, else results)")
    compare.add_argument("--profile", choices=sorted(PROFILES), help="only runs of this profile")
    compare.add_argument("--out", help="also write the summary table as CSV to this file")
    compare.set_defaults(handler=_compare)

    predict = commands.add_parser("predict", help="predict the class of image files with a trained run")
    predict.add_argument("target", help="an image file or a folder of images")
    predict.add_argument("--run", required=True, help="run record folder whose model to use")
    predict.add_argument("--out", help="write class probabilities per image to this CSV file")
    predict.add_argument("--cam", help="write a Grad-CAM overlay of the predicted class per image to this folder")
    predict.set_defaults(handler=_predict)

    bench = commands.add_parser("bench", help="measure training and inference images/s of three input pipelines")
    bench.add_argument("--depth", type=int, choices=DEPTHS, default=50, help="ResNet depth")
    bench.add_argument("--image-size", type=int, default=128, help="input side, in pixels")
    bench.add_argument("--batch-size", type=int, default=32, help="images per step")
    bench.add_argument("--steps", type=int, default=10, help="timed steps per pipeline, after warm-up")
    bench.add_argument("--warmup", type=int, default=2, help="untimed steps first, the first of them reported apart")
    bench.add_argument("--data", help="data set folder (default: BRAINLIB_DATA, else the synthetic stand-in)")
    bench.add_argument("--cache", help="folder for decoded images")
    bench.add_argument("--out", help="also write the results as JSON to this file")
    bench.set_defaults(handler=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (FileNotFoundError, ValueError, OSError, FloatingPointError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
