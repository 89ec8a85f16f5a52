package dev.tally.audit;

/** A global a pickle references by module and name ({@code GLOBAL}, {@code STACK_GLOBAL}, {@code INST}); never imported. */
public record GlobalRef(String module, String name) {
    public GlobalRef {
        module = module == null ? "" : module;
        name = name == null ? "" : name;
    }

    /** As Python writes it: {@code os.system}. */
    public String qualifiedName() {
        return module.isEmpty() ? name : module + "." + name;
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
