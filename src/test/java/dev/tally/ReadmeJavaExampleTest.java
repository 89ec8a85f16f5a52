package dev.tally;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tally.testing.Fixtures;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java example is code a user copies, so it is compiled and run exactly as the README shows it: the
 * one {@code ```java} block that is a whole class, as its own source file, against Tally and the test libraries, on the shipped model it
 * names. A change to the API or to the model that breaks the example breaks this test.
 */
class ReadmeJavaExampleTest {
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS_NAME = Pattern.compile("^class (\\w+)", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void theReadmeJavaExampleCompilesAndItsAssertionsHoldOnTheShippedModel() throws Exception {
        String readme = Files.readString(Fixtures.root().resolve("README.md"));
        // The README also shows the library test's method alone (ReadmeExamplesTest keeps that one); this test runs
        // the one block that is a whole class.
        Matcher block = JAVA_BLOCK.matcher(readme);
        List<String> classes = new java.util.ArrayList<>();
        while (block.find()) {
            if (CLASS_NAME.matcher(block.group(1)).find()) {
                classes.add(block.group(1));
            }
        }
        assertThat(classes).as("```java blocks in README.md that are a whole class").hasSize(1);
        String source = classes.get(0);
        Matcher name = CLASS_NAME.matcher(source);
        assertThat(name.find()).isTrue();
        String className = name.group(1);

        Path file = dir.resolve(className + ".java");
        Files.writeString(file, source);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean compiled = compiler.getTask(diagnostics, null, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString()), null,
                compiler.getStandardFileManager(null, null, null).getJavaFileObjects(file)).call();
        assertThat(compiled).as("javac on the README's example:\n%s", diagnostics).isTrue();

        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> example = loader.loadClass(className);
            var constructor = example.getDeclaredConstructor();
            constructor.setAccessible(true);
            Object instance = constructor.newInstance();
            int ran = 0;
            for (Method method : example.getDeclaredMethods()) {
                if (method.isAnnotationPresent(Test.class)) {
                    method.setAccessible(true);
                    try {
                        method.invoke(instance);
                    } catch (InvocationTargetException e) {
                        throw new AssertionError("The README's example " + method.getName() + " failed: " + e.getCause(), e.getCause());
                    }
                    ran++;
                }
            }
            assertThat(ran).as("@Test methods run from the README's example").isPositive();
        }
    }
}
