"""The custom layer class of test/python/make_replay_cases.py (the exporter's --custom-objects file)."""
import keras


@keras.saving.register_keras_serializable(package="cellscope_demo")
class Scale(keras.layers.Layer):
    """x · factor · w (w: one trained weight per feature): a layer class Keras does not ship."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, shape):
        self.w = self.add_weight(shape=(shape[-1],), initializer="random_normal", name="w")

    def call(self, x):
        return x * self.factor * self.w

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}
