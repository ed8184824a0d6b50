// Command product-catalog is the Lambda function of the portal route "product-catalog".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("product-catalog") }
