package dev.kiln.core.testing;

import java.util.List;

import dev.kiln.plugin.api.BuildContext;
import dev.kiln.plugin.api.BuildException;
import dev.kiln.plugin.api.BuildOutput;
import dev.kiln.plugin.api.Builder;

/**
 * A {@link ShellBuilder} under another id that needs the given tools, so tests can make a builder
 * that only some nodes can run.
 */
public final class ToolBuilder implements Builder {

    private final String id;
    private final List<String> tools;
    private final ShellBuilder shell = new ShellBuilder();

    /**
     * A builder.
     *
     * @param id its id
     * @param tools the tools it needs
     */
    public ToolBuilder(String id, List<String> tools) {
        this.id = id;
        this.tools = List.copyOf(tools);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<String> requiredTools() {
        return tools;
    }

    @Override
    public BuildOutput build(BuildContext context) throws BuildException, InterruptedException {
        return shell.build(context);
    }
}
