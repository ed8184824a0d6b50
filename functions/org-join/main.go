// Command org-join is the Lambda function of the portal route "org-join".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-join") }
