// Command product-catalog is the Lambda function of the portal route "product-catalog".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("product-catalog") }
