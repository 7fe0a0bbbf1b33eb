package dev.modelcompose.runtime;

import dev.modelcompose.models.ModelProvisioner;
import dev.modelcompose.upscale.ModelFiles;
import java.util.function.Consumer;

/** Turns a component's {@code model:} value into files: {@link ModelProvisioner#provision} unless replaced. */
@FunctionalInterface
public interface ModelSource {
    ModelFiles provision(Object model, String family, Integer scale);

    static ModelSource of(ModelProvisioner provisioner) {
        return provisioner::provision;
    }

    /** The standard provisioner (catalogue in {@code $MODEL_COMPOSE_CACHE}, local paths), logging to {@code log}. */
    static ModelSource standard(Consumer<String> log) {
        return of(ModelProvisioner.standard(log));
    }
}
