package dev.tally.maven;

import dev.tally.cli.Main;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * {@code tally:summary}: writes Tally's report of each model into {@code target/tally/}, one file per model and
 * format ({@code lenet5.onnx.md}, {@code lenet5.onnx.html}), by running {@code tally summary --format F --out FILE}
 * in the build's JVM, so the files are the command's own output.
 */
@Mojo(name = "summary", defaultPhase = LifecyclePhase.VERIFY, threadSafe = true)
public final class SummaryMojo extends AbstractMojo {
    /** The model files to report on. */
    @Parameter(required = true)
    private List<File> models = new ArrayList<>();

    /** Input shapes, as {@code --input} takes them: {@code 1x3x224x224} or {@code name=1x3x224x224}. */
    @Parameter
    private List<String> inputs = new ArrayList<>();

    /** The report formats: {@code markdown}, {@code html} (also {@code table}, {@code json}, {@code csv}). */
    @Parameter
    private List<String> formats = new ArrayList<>(List.of("markdown", "html"));

    @Parameter(property = "tally.outputDirectory", defaultValue = "${project.build.directory}/tally")
    private File outputDirectory;

    /** Skips the report (as {@code -Dtally.skip}). */
    @Parameter(property = "tally.skip", defaultValue = "false")
    private boolean skip;

    @Override
    public void execute() throws MojoFailureException {
        if (skip) {
            getLog().info("Tally summary skipped.");
            return;
        }
        if (models.isEmpty()) {
            throw new MojoFailureException("<models> is empty: list the model files to report on.");
        }
        try {
            Files.createDirectories(outputDirectory.toPath());
        } catch (IOException e) {
            throw new MojoFailureException("Cannot make " + outputDirectory + " (" + e.getMessage() + "); check <outputDirectory>.");
        }
        for (File model : models) {
            for (String format : formats) {
                Path out = outputDirectory.toPath().resolve(model.getName() + "." + extension(format));
                List<String> args = new ArrayList<>(List.of("summary", model.getPath(), "--format", format, "--out", out.toString()));
                for (String input : inputs) {
                    args.add("--input");
                    args.add(input);
                }
                StringWriter errors = new StringWriter();
                int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(errors, true), args.toArray(String[]::new));
                if (code != 0) {
                    throw new MojoFailureException(errors.toString().strip());
                }
                getLog().info("Tally summary of " + model.getName() + ": " + out);
            }
        }
    }

    private static String extension(String format) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "markdown" -> "md";
            case "table" -> "txt";
            default -> format.toLowerCase(Locale.ROOT);
        };
    }
}
