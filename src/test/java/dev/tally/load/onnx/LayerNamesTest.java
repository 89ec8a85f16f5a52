package dev.tally.load.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LayerNamesTest {
    @Test
    void aChildOfASequentialIsNamedByItsFullPath() {
        assertThat(LayerNames.layerOf("/features/features.0/Conv")).isEqualTo("features.0");
    }

    @Test
    void aNamedChildIsAppendedToItsParentsPath() {
        assertThat(LayerNames.layerOf("/layer1/layer1.0/conv1/Conv")).isEqualTo("layer1.0.conv1");
        assertThat(LayerNames.layerOf("/features/denseblock1/denselayer1/conv1/Conv"))
                .isEqualTo("features.denseblock1.denselayer1.conv1");
    }

    @Test
    void nestedSequentialsKeepTheInnermostFullPath() {
        assertThat(LayerNames.layerOf("/features/features.0/features.0.0/Conv")).isEqualTo("features.0.0");
    }

    @Test
    void anOpNumberedWithinItsModuleBelongsToThatModule() {
        assertThat(LayerNames.layerOf("/ln/ReduceMean_1")).isEqualTo("ln");
    }

    @Test
    void aRootModuleNodeKeepsItsName() {
        assertThat(LayerNames.layerOf("/Flatten")).isEqualTo("/Flatten");
    }

    @Test
    void aNameWithoutScopesKeepsItsName() {
        assertThat(LayerNames.layerOf("Conv_0")).isEqualTo("Conv_0");
        assertThat(LayerNames.layerOf("resnetv17_conv0_fwd")).isEqualTo("resnetv17_conv0_fwd");
    }
}
