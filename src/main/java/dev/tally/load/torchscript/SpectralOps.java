package dev.tally.load.torchscript;

import dev.tally.ir.Attribute;
import dev.tally.ir.DType;
import dev.tally.load.torchscript.Interpreter.Site;
import java.util.List;
import java.util.Map;

/**
 * Spectral ops of TorchScript code (HDemucs's spectrogram branch): {@code stft} and {@code istft} (IR ops Stft and
 * Istft, PyTorch's own: torch.onnx 1.13 exports neither), {@code view_as_real} and {@code view_as_complex}
 * (ViewAsReal, ViewAsComplex) and {@code hann_window} (ONNX HannWindow). FFTs count no MACs and no ops
 * (docs/conventions.md, "TorchScript ops written as other ops").
 */
final class SpectralOps extends AtenFamily {

    SpectralOps(GraphBuilder graph) {
        super(graph);
        put(this::stft, "stft");
        put(this::istft, "istft");
        put((name, args, kw, site) -> emit("ViewAsReal", site, attrs(), bind(name, args, kw, "self").tensor("self")), "view_as_real");
        put((name, args, kw, site) -> emit("ViewAsComplex", site, attrs(), bind(name, args, kw, "self").tensor("self")), "view_as_complex");
        put(this::hannWindow, "hann_window");
    }

    private Object stft(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // aten::stft(self, n_fft, hop_length, win_length, window, normalized, onesided, return_complex) in torch 1.13,
        // where torch.stft pads for center itself (traced code shows the reflect Pad); the later stft.center overload
        // takes center and pad_mode after the window.
        boolean centerForm = kw.containsKey("center") || kw.containsKey("pad_mode") || args.size() > 6 && args.get(6) instanceof String;
        Args a = centerForm
                ? bind(name, args, kw, "self", "n_fft", "hop_length", "win_length", "window", "center", "pad_mode", "normalized",
                        "onesided", "return_complex")
                : bind(name, args, kw, "self", "n_fft", "hop_length", "win_length", "window", "normalized", "onesided", "return_complex");
        Map<String, Attribute> attributes = frameAttributes(a);
        if (centerForm) {
            attributes.put("center", new Attribute.Int(a.flag("center", true) ? 1 : 0));
        }
        // PyTorch: a complex input or window gives a complex result; a real one needs return_complex, the legacy
        // real [..., 2] layout when it is False.
        if (a.has("return_complex")) {
            attributes.put("return_complex", new Attribute.Int(a.flag("return_complex", true) ? 1 : 0));
        } else if (!complex(a, "self") && !(a.has("window") && complex(a, "window"))) {
            attributes.put("return_complex", new Attribute.Int(0));
        }
        return emit("Stft", site, attributes, a.tensor("self"), a.optionalTensor("window"));
    }

    private Object istft(String name, List<Object> args, Map<String, Object> kw, Site site) {
        Args a = bind(name, args, kw, "self", "n_fft", "hop_length", "win_length", "window", "center", "normalized", "onesided",
                "length", "return_complex");
        Map<String, Attribute> attributes = frameAttributes(a);
        attributes.put("center", new Attribute.Int(a.flag("center", true) ? 1 : 0));
        attributes.put("return_complex", new Attribute.Int(a.flag("return_complex", false) ? 1 : 0));
        if (a.has("length")) {
            attributes.put("length", new Attribute.Int(a.integer("length", 0)));
        }
        return emit("Istft", site, attributes, a.tensor("self"), a.optionalTensor("window"));
    }

    /** n_fft, and hop_length, win_length and onesided when the code gives them (the rule knows PyTorch's defaults). */
    private static Map<String, Attribute> frameAttributes(Args a) {
        Map<String, Attribute> attributes = attrs("n_fft", new Attribute.Int(a.integer("n_fft", 0)));
        for (String key : List.of("hop_length", "win_length")) {
            if (a.has(key)) {
                attributes.put(key, new Attribute.Int(a.integer(key, 0)));
            }
        }
        if (a.has("onesided")) {
            attributes.put("onesided", new Attribute.Int(a.flag("onesided", true) ? 1 : 0));
        }
        return attributes;
    }

    private static boolean complex(Args a, String name) {
        Values.TensorValue tensor = a.tensor(name);
        if (!tensor.known()) {
            throw new Args.Unresolved("'torch.stft' needs the element type of '" + name + "', which is not known");
        }
        return tensor.info().dtype() == DType.COMPLEX64 || tensor.info().dtype() == DType.COMPLEX128;
    }

    private Object hannWindow(String name, List<Object> args, Map<String, Object> kw, Site site) {
        // hann_window(window_length, periodic=True, dtype=None, ...): ONNX HannWindow, float32 unless a dtype is given.
        Args a = bind(name, args, kw, "window_length", "periodic", "dtype", "layout", "device", "pin_memory");
        DType type = a.get("dtype") instanceof Long code ? ScalarTypes.dtype(code).orElse(null) : DType.FLOAT32;
        if (type == null || !type.isFloatingPoint() || ScalarTypes.onnxCode(type).isEmpty()) {
            return AtenOps.NOT_HANDLED;
        }
        return emit("HannWindow", site, attrs("periodic", new Attribute.Int(a.flag("periodic", true) ? 1 : 0),
                "output_datatype", new Attribute.Int(ScalarTypes.onnxCode(type).get())), graph.scalar(a.integer("window_length", 0)));
    }
}
