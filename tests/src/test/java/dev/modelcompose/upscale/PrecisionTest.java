package dev.modelcompose.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PrecisionTest {
    @Test
    void parsesTheCliSpellingsAndRejectsOthers() {
        assertEquals(Precision.AUTO, Precision.parse("auto"));
        assertEquals(Precision.FP16, Precision.parse(" FP16 "));
        assertEquals(Precision.FP32, Precision.parse("fp32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.parse("fp8"));
        assertTrue(e.getMessage().contains("auto, fp32 or fp16"), e.getMessage());
        assertEquals("fp16", Precision.FP16.toString());
    }

    @Test
    void codesMatchTheNativeApi() {
        // native/mc_native.h UpscaleSettings::precision and esrgan::GpuPrecision
        assertEquals(0, Precision.AUTO.code());
        assertEquals(1, Precision.FP32.code());
        assertEquals(2, Precision.FP16.code());
        for (Precision p : Precision.values()) assertEquals(p, Precision.ofCode(p.code()));
    }

    @Test
    void optionsCarryThePrecision() {
        ModelOptions d = ModelOptions.defaults();
        assertEquals(Precision.AUTO, d.precision());
        ModelOptions fp16 = d.withPrecision(Precision.FP16).withDevice(0);
        assertEquals(Precision.FP16, fp16.precision());
        assertNotEquals(d.withDevice(0), fp16);
        assertEquals(d.withPrecision(Precision.FP16), ModelOptions.defaults().withPrecision(Precision.FP16));
        assertTrue(fp16.toString().contains("precision=fp16"), fp16.toString());
        assertThrows(IllegalArgumentException.class, () -> d.withPrecision(null));
    }
}
