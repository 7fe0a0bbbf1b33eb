package dev.modelcompose.cli;

import picocli.CommandLine.IVersionProvider;

/** Reports the jar's version (from its manifest when packaged). */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"model-compose " + (v == null ? "development build" : v)};
    }
}
