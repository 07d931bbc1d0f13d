"""The study's fixed vocabulary. Import-light: the Snakefile reads it at parse time."""

# the last two: the linked code's ways (code_features.py), read from quora.features.code
CODE_KINDS = ("spacy_tfidf_code", "word2vec_code")
FEATURE_KINDS = ("word2vec", "spacy", "spacy_tfidf", "sequences", *CODE_KINDS)

# dotted params keys each feature kind depends on (besides the prepared pairs)
FEATURE_PARAMS = {
    "word2vec": ("seed", "quora.features.word2vec"),
    "spacy": (),
    "spacy_tfidf": (),
    "sequences": ("quora.features.max_len",),
    "spacy_tfidf_code": ("seed", "quora.features.code.split", "quora.features.code.tfidf"),
    "word2vec_code": ("seed", "quora.features.code.split", "quora.features.code.word2vec"),
}

# which raw file each data source reads (dlrepro.data.fetch.REGISTRY names)
RAW_FILE = {"bimpm": "quora_subset", "subset_all": "quora_subset", "full": "quora_full"}

# The post's two result lists, in its order: (variant in params.yaml, the post's label), with
# the variants that follow the linked code where they belong
LABELS = {
    "siamese_word2vec": "Gensim (my model) + Siamese",
    "siamese_spacy": "Spacy + Siamese",
    "siamese_spacy_tfidf": "Spacy + TF-IDF + Siamese (= 3 layers resnet, BN before ReLU, + layer concat)",
    "net_2layer": "2 layers net",
    "net_3layer_adam": "3 layers net + adam",
    "resnet_bn_after_relu": "3 layers resnet (after relu BN) + adam",
    "resnet_bn_before_relu": "3 layers resnet (before relu BN) + adam",
    "resnet_dropout": "3 layers resnet (before relu BN) + adam + dropout",
    "unit_norm_cosine": "3 layers resnet (before relu BN) + adam + unit_norm + cosine_distance",
    "cosine_post": "the same with the code's cosine_distance, -mean(x * y)",
    "fc_head": "Switching last layer to FC layer",
    "birnn_conv": "Bidirectional RNN + 1D convolution feature extractors",
    # set up as the linked code (erogol/QuoraDQBaseline), not a row of the post
    "code_spacy_tfidf": "Spacy + TF-IDF + Siamese as in the linked code (2_tf_idf_vec.py)",
    "code_word2vec": "Gensim + Siamese as in the linked code (3_word2vec_train.py)",
}


def ordered_variants(variants) -> list[str]:
    """Variant names in the post's order, then any others sorted: never the order in which a
    config merge happened to leave the keys (Snakemake and dlrepro merge differently)."""
    known = [name for name in LABELS if name in variants]
    return known + sorted(set(variants) - set(known))
