/** The CLI's contract, printed by `cellscope --help`. Other tools and CI pipelines depend on it: keep it stable. */
export const USAGE = `cellscope — Keras-exact RNN forward passes, traces and comparisons

usage:
  cellscope run MODEL [--input IN] [--precision float64|float32] [--out FILE]
      prints the model's output as JSON {"shape": [...], "data": [...]} (flat, row-major)
  cellscope compare MODEL [--input IN] [--expected EXP] [--atol 1e-5] [--rtol 0] [--diagnose]
      exit 0 when every element is within atol + rtol·|expected|, 1 when not, 2 when a file is unusable
  cellscope compare MODEL --recording REC [--input IN] [--atol 1e-5] [--rtol 0] [--diagnose]
      REC: python/cellscope_export.py's recording; its input is used when --input is absent. A model holding
      Python code (Lambda, custom layer classes) is compared layer by layer ("layer replay: inputs as recorded by
      Keras"): each recurrent layer runs alone on the input Keras fed it
  cellscope compare MODEL --against OTHER [--input IN] [--atol 1e-5] [--diagnose]
      the port checker: two models (any formats) that should compute the same function, run on the same input;
      every recurrent layer and gate compared, the first divergence named; --diagnose names the conversion mistake
  cellscope inspect MODEL [--input IN] [--json]
      layers, shapes, parameter counts, weight statistics and spectral radius per gate;
      with an input: gate saturation per unit and dead units
  cellscope trace MODEL [--input IN] --out FILE.json|FILE.csv
      every recorded quantity (gates, candidates, states, pre-activations) at every step
  cellscope explain MODEL --input IN --target b,t,u [--method M] [--steps 64] [--baseline zeros|mean|FILE]
                  [--output K] [--window W] [--fill V] [--dynamics] [--threads 1|2] --out FILE.json|FILE.csv
      which inputs made the model give one output value (see docs/explain.md): JSON {"target", "output", "value",
      "method", "attribution": {"shape", "data"}, "completeness_error"?}; M: gradient (default), grad-input,
      integrated-gradients, occlusion, lrp; token models: attribution per token (summed over its embedding vector)

options:
  --input IN            input array: nested lists or {"shape", "data"}; a fixture file carries its own
  --expected EXP        recorded output: a recording, a fixture, or an array; a fixture carries its own
  --recording REC       compare: the exporter's recording (expected outputs, input, per-layer sequences)
  --precision P         float64 or float32 (Keras's float32 arithmetic); default float64, or, for a model whose
                        layers declare float16 / bfloat16 / mixed_* dtype policies, Keras's rounding to those
  --hard-sigmoid K      keras2 (clip(0.2x+0.5)) or keras3 (clip(x/6+0.5)); default: from the file
  --predict-calls N     run N times without resetting states (stateful models); default from the file, else 1
  --out FILE            write there instead of stdout; an existing file is kept unless --force
  --force               overwrite --out
  --module PREFIX       PyTorch: the recurrent module to open (key prefix, e.g. lstm) when the state dict has several
  --nonlinearity N      PyTorch nn.RNN / RNNCell: tanh (default) or relu (not stored in state dicts)
  --against OTHER       compare: a second model to compare with (see above)
  --target b,t,u        explain: the output element (negatives count from the end; b,u for a 2-D output)
  --output K            explain: which model output (default 0)
  --threads N           explain: integrated gradients on N threads (default 2: they share the points; 1: one thread)
  --json                inspect: print JSON instead of text
  --diagnose            compare: on a mismatch, try the usual culprits (gate order, transposed or swapped kernels,
                        reset_after, hard_sigmoid formula, activations, go_backwards, time order, stateful calls,
                        bias, float32) and print "diagnosis: ..." with the error before → after; exit code unchanged

MODEL: a Keras 3 .keras archive, a legacy Keras .h5 file, a Keras export JSON ({"model": to_json(), "weights":
get_weights()}), a TF.js model.json (with its weight shards beside it), an ONNX .onnx graph, a keras-model-fixture/v1
or keras-recorded-fixture/v1 file, a PyTorch state dict (torch.save(model.state_dict(), "model.pt")) or .safetensors
file (inputs batch first [batch, time, features]; the output is the module's whole output sequence).`;
