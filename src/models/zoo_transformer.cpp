// Transformers: ViT-B/16 (torchvision vision_transformer.py) and BERT-base (Devlin et al.; HF
// BertModel layout without the MLM head). One row per encoder block: every block has the same
// cost and output size, so finer rows would only add cut points that ship the same bytes.
#include <string>

#include "models/zoo_builders.hpp"

namespace ce::zoo_detail {

ArchBuilder vit_b_16() {
  const int64_t dim = 768, mlp = 3072;
  const int heads = 12, layers = 12, patch = 16;
  ArchBuilder b("vit_b_16", "vit", Shape::image(3, 224, 224));
  b.row("patch_embed(conv16x16)+cls+pos", "embedding");
  b.conv(dim, patch, patch, 0, 1, /*bias=*/true);  // conv_proj
  b.to_tokens();                                     // 196 tokens x 768
  b.prepend_tokens(1);                               // class token
  b.embedding("pos_embedding", b.cur().tokens, dim); // learned 197 x 768, added
  b.add();
  for (int i = 0; i < layers; ++i) {
    b.row("encoder.layer_" + std::to_string(i), "transformer_block");
    b.transformer_block(heads, mlp, "gelu", /*pre_norm=*/true);
  }
  b.row("ln+cls_select", "layernorm");  // final encoder LayerNorm, then x[:, 0]
  b.layernorm();
  b.select_token();
  b.row("head", "linear");
  b.linear(1000);
  return b;
}

ArchBuilder bert_base(int seq_len) {
  const int64_t dim = 768, ffn = 3072, vocab = 30522, max_pos = 512, type_vocab = 2;
  const int heads = 12, layers = 12;
  // The input is seq_len token ids (one element each).
  ArchBuilder b("bert_base_seq" + std::to_string(seq_len), "bert", Shape::seq(seq_len, 1));
  b.row("embeddings(word+pos+type)+ln", "embedding");
  b.embedding("word_embeddings", vocab, dim);
  b.embedding("position_embeddings", max_pos, dim);
  b.add();
  b.embedding("token_type_embeddings", type_vocab, dim);
  b.add();
  b.layernorm();
  for (int i = 0; i < layers; ++i) {
    b.row("encoder.layer." + std::to_string(i), "transformer_block");
    b.transformer_block(heads, ffn, "gelu", /*pre_norm=*/false);  // BERT is post-LN
  }
  b.row("pooler(dense+tanh on [CLS])", "linear");
  b.select_token();
  b.linear(dim, true, "tanh");
  return b;
}

}  // namespace ce::zoo_detail
